"""One msgid, one French translation: Django merges every catalogue of the project into one, so when two of them
translate the same (msgctxt, msgid) differently the first app listed wins and a page of the other app shows a
word it did not choose (the events' CSV said « État » where the events catalogue says « Statut »). A meaning that
truly differs gets its own pgettext context (a report « En cours » is `pgettext("report status", "Open")`, the
board of a meeting is « Ouvert »)."""

import ast
from dataclasses import dataclass, field
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

from concerto.core.tests.test_french import CATALOGUES, ROOT

SOURCES = [path.with_suffix(".po") for path in CATALOGUES]


@dataclass
class Entry:
    """One entry of a .po file. `obsolete` is a `#~` entry (kept by makemessages without --no-obsolete)."""

    path: Path
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str, bool]:
        """What a page looks up: gettext("contribution") and ngettext("contribution", ...) are two lookups."""
        return self.msgctxt, self.msgid, self.msgid_plural is not None


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (the header set aside), msgstr unquoted; plural forms in order."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: str | None = None  # which field the continuation lines ("...") extend

    def close():
        nonlocal entry, target
        if entry is not None and entry.msgid:
            entries.append(entry)
        entry, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        obsolete = raw.startswith("#~")
        line = raw[2:].strip() if obsolete else raw.strip()
        if not line or (line.startswith("#") and not obsolete):
            if entry is not None and entry.msgstr:  # a blank line or a comment ends the entry
                close()
            if line.startswith("#,"):
                entry = entry or Entry(path, number)
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#:"):
                entry = entry or Entry(path, number)
                entry.references.extend(line[2:].split())
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            text = ast.literal_eval(line)
        else:
            if keyword in ("msgctxt", "msgid") and entry is not None and entry.msgstr:
                close()
            entry = entry or Entry(path, number)
            entry.obsolete = entry.obsolete or obsolete
            target, text = keyword, ast.literal_eval(rest)
            if target.startswith("msgstr"):
                entry.msgstr.append("")
        if target == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + text
        elif target == "msgid":
            entry.msgid += text
        elif target == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        elif target and target.startswith("msgstr"):
            entry.msgstr[-1] += text
    close()
    return entries


def _translations() -> dict[tuple[str | None, str], dict[tuple[str, ...], list[Entry]]]:
    """For each (msgctxt, msgid, plural?) translated somewhere: its French translations and the entries giving
    them. Obsolete (#~) and fuzzy entries count: makemessages brings them back the day the msgid is used again."""
    found: dict = {}
    for path in SOURCES:
        for entry in read_po(path):
            if any(entry.msgstr):  # fuzzy and obsolete ones too: the next makemessages may bring them back
                found.setdefault(entry.key, {}).setdefault(tuple(entry.msgstr), []).append(entry)
    return found


def test_the_reader_finds_every_catalogue_and_its_entries():
    assert len(SOURCES) >= 15 and all(path.exists() for path in SOURCES)
    entries = [entry for path in SOURCES for entry in read_po(path)]
    assert len(entries) > 2000
    by_key = {(e.path.relative_to(ROOT).parts[0], e.key): e for e in entries}
    assert by_key["locale_overrides", (None, "Filter", False)].msgstr == ["Filtrer"]
    plurals = [e for e in entries if e.msgid_plural]
    assert plurals and all(len(e.msgstr) == 2 for e in plurals)
    assert any(e.msgctxt for e in entries)


def test_the_reader_keeps_obsolete_and_fuzzy_entries_and_entries_run_together(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
                  '#: views.py:3\n#, fuzzy, python-format\nmsgctxt "report status"\nmsgid "Open"\nmsgstr "En cours"\n'
                  'msgid "Done"\nmsgstr ""\n"Termin"\n"ée"\n\n'
                  '#~ msgid "Status"\n#~ msgstr "État"\n', encoding="utf-8")
    first, second, third = read_po(po)
    assert (first.key, first.msgstr) == (("report status", "Open", False), ["En cours"])
    assert first.references == ["views.py:3"]
    assert "fuzzy" in first.flags and not first.obsolete
    assert (second.key, second.msgstr) == ((None, "Done", False), ["Terminée"])
    assert third.obsolete and (third.key, third.msgstr) == ((None, "Status", False), ["État"])


def test_each_msgid_has_one_french_translation_across_the_catalogues():
    conflicts = []
    for (context, msgid, _plural), translations in sorted(_translations().items(),
                                                          key=lambda kv: (kv[0][1], kv[0][0] or "")):
        if len(translations) < 2:
            continue
        where = "; ".join(
            f"{' / '.join(msgstr)!r} in " + ", ".join(
                f"{e.path.relative_to(ROOT)}:{e.line}" for e in entries)
            for msgstr, entries in translations.items())
        conflicts.append(f"{msgid!r}" + (f" (context {context!r})" if context else "") + f": {where}")
    assert not conflicts, (
        "Pick one French wording for each (or a pgettext context where the meaning differs):\n"
        + "\n".join(conflicts))


def test_the_site_says_each_word_one_way_and_a_context_where_the_meaning_differs():
    """What pages show once Django has merged the catalogues: one wording for « Status » in every app, and the
    contexts that keep a report's « Open » (still being handled) apart from an open board."""
    with translation.override("fr"):
        assert translation.gettext("Status") == "Statut" and translation.gettext("status") == "statut"
        assert translation.gettext("Search") == "Rechercher"
        assert translation.gettext("Done") == "Terminée"  # a background job (une tâche)
        assert translation.pgettext("project implementation", "Done") == "Réalisé"  # a budget project
        assert translation.pgettext("report status", "Open") == "En cours"
        assert translation.gettext("Open") == "Ouvert"
        assert translation.pgettext("waitlist", "Position") == "Rang" and translation.gettext("Position") == "Position"
        assert translation.pgettext("proposal", "merged into") == "fusionnée dans"
        assert translation.pgettext("budget project", "merged into") == "fusionné dans"
        html = Template('{% load i18n %}<th>{% translate "Position" context "waitlist" %}</th>'
                        '<th>{% translate "Created on" %}</th>').render(Context())
    assert html == "<th>Rang</th><th>Date de création</th>"
