"""French as a French public site writes it: typography of what the site shows, and the alphabetical order."""

import ast
import datetime
import gettext
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from concerto.core.french import (
    collation_key,
    day_and_hour,
    euros,
    fix_french,
    french_typography_faults,
    hour,
    number,
    percent,
    sort_by_name,
)

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.rglob("locale*/fr/LC_MESSAGES/*.mo"))
TEMPLATES = sorted(ROOT.rglob("templates/**/*.html"))
NBSP = "\u00a0"


def test_every_app_has_a_compiled_french_catalogue():
    assert len(CATALOGUES) >= 15


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_french_catalogue_has_no_break_spaces(path):
    """What the site shows is the compiled .mo: every French string has its no-break spaces."""
    with path.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    faults = [
        f"{key!r}: {fault}"
        for key, text in catalogue._catalog.items()
        if key != ""  # the header
        for fault in french_typography_faults(text)
    ]
    assert not faults, "Run tools/french_typography.py then compile:\n" + "\n".join(faults)


def test_the_site_words_win_over_the_catalogues_of_django_and_allauth():
    """An app listed before ours (the admin) wins a msgid we share: « Filtre » instead of « Filtrer ». Each
    msgid our catalogues translate one way must come out that way (concerto/locale_overrides says it again)."""
    ours: dict[str, set[str]] = {}
    for path in CATALOGUES:
        with path.open("rb") as handle:
            for key, text in gettext.GNUTranslations(handle)._catalog.items():
                if isinstance(key, str) and key and "\x04" not in key:
                    ours.setdefault(key, set()).add(text)
    with translation.override("fr"):
        shadowed = {key: translation.gettext(key) for key, texts in ours.items()
                    if len(texts) == 1 and translation.gettext(key) not in texts}
        assert translation.gettext("Filter") == "Filtrer"
    assert not shadowed, f"Add these to concerto/locale_overrides/fr/LC_MESSAGES/django.po: {shadowed}"


SOURCES = sorted(p for p in ROOT.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts)
# Words that Django's or allauth's catalogues translate otherwise (« Tout », « Courriel »): ours say them with a
# context, so the site's word wins.
_BARE_SHADOWED = re.compile(r"""(?:\b_|gettext(?:_lazy)?)\(["'](?:All|Email)["']\)"""
                            r"""|\{% translate ["'](?:All|Email)["'] %\}""")


def test_all_and_email_are_said_with_a_context_so_the_site_words_win():
    bare = [str(p.relative_to(ROOT)) for p in SOURCES + TEMPLATES
            if _BARE_SHADOWED.search(p.read_text(encoding="utf-8"))]
    assert not bare, f"Use pgettext(\"filter\", \"All\") / pgettext(\"person\", \"Email\") in: {bare}"
    with translation.override("fr"):
        assert translation.pgettext("filter", "All") == "Tous"
        assert translation.pgettext("filter, feminine", "All") == "Toutes"
        assert translation.pgettext("person", "Email") == "Adresse e-mail"
        html = Template('{% load i18n %}<option>{% translate "All" context "filter" %}</option>'
                        '<th>{% translate "Email" context "person" %}</th>').render(Context())
    assert html == "<option>Tous</option><th>Adresse e-mail</th>"


DEMO_SOURCES = sorted([*ROOT.glob("demo/*.py"), *ROOT.glob("components/*/demo.py")])
_LOOKS_FRENCH = re.compile(r"[éèàùçêôîœ]|\b(?:le|la|les|des|du|un|une|et|est|vous|nous|pour|avec|en|au)\b", re.I)


def _french_strings(path: Path) -> list[tuple[int, str]]:
    """The French texts of a Python file: string constants (docstrings, in English, set aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and _LOOKS_FRENCH.search(node.value)]


def test_there_are_demo_sources_to_check():
    assert len(DEMO_SOURCES) >= 6 and sum(len(_french_strings(p)) for p in DEMO_SOURCES) > 100


@pytest.mark.parametrize("path", DEMO_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_demo_content_has_no_break_spaces(path):
    """Titles, bodies and comments of the demo are what a visitor reads first: French typography there too."""
    faults = [f"line {line}: {fault}" for line, text in _french_strings(path)
              for fault in french_typography_faults(text)]
    assert not faults, "\n".join(faults)


_TEMPLATE_FAULT = re.compile(r"«[ \t]|[ \t]»|(?:\}\}|%\}|>) [:;?!](?=[\s<])")
# A figure then € or % outside {% translate %} and {% blocktranslate %} (English msgids the catalogues
# translate): the template should write `{{ amount|euros }}` / `{{ share|percent }}`, or a no-break space.
_UNIT_FAULT = re.compile(r"(?:\}\}|\d)[ \t]*(?:€|%(?![}(]))")
_MSGIDS = re.compile(r'\{% blocktranslate.*?\{% endblocktranslate %\}|\{% translate "[^"]*"', re.S)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_french_written_in_templates_has_no_break_spaces(path):
    """Quotes around a name (« {{ title }} »), figures and their unit, and the French pages written directly in
    templates."""
    text = path.read_text(encoding="utf-8")
    assert not _TEMPLATE_FAULT.findall(text)
    assert not _UNIT_FAULT.findall(_MSGIDS.sub("", text)), "use {{ x|euros }} or {{ x|percent }}"
    if "/pages/fr/" in path.as_posix():
        assert french_typography_faults(text.replace("&nbsp;", NBSP)) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Voulez-vous continuer ?", f"Voulez-vous continuer{NBSP}?"),
    ("Pourquoi?", f"Pourquoi{NBSP}?"),
    ("Attention !", f"Attention{NBSP}!"),
    ("Un ; deux", f"Un{NBSP}; deux"),
    ("Le projet « %(title)s » est publié.", f"Le projet «{NBSP}%(title)s{NBSP}» est publié."),
    ("«Bonjour»", f"«{NBSP}Bonjour{NBSP}»"),
    ("Ouvert de 10:30 à 12:00 : venez", f"Ouvert de 10:30 à 12:00{NBSP}: venez"),
    ("Voir https://exemple.fr/a?b=1;c=2 : ici", f"Voir https://exemple.fr/a?b=1;c=2{NBSP}: ici"),
    ('<a href="/x?y=1" title="a:b">Lien</a> : oui', f'<a href="/x?y=1" title="a:b">Lien</a>{NBSP}: oui'),
    ("%(count)s : {name} ; %s", f"%(count)s{NBSP}: {{name}}{NBSP}; %s"),
    ("Déjà là&nbsp;: rien", "Déjà là&nbsp;: rien"),
    ("Colonnes nom;prénom", "Colonnes nom;prénom"),
    ("Quoi ?!", f"Quoi{NBSP}?!"),
    ("Il reste 40 %, soit 35 000 €.", f"Il reste 40{NBSP}%, soit 35 000{NBSP}€."),
    ("%(share)s %% du budget, %(amount)s €", f"%(share)s{NBSP}%% du budget, %(amount)s{NBSP}€"),
    ("Taux (%) en €", "Taux (%) en €"),
    (f"Déjà{NBSP}: rien\u202f?", f"Déjà{NBSP}: rien\u202f?"),
])
def test_fix_french_leaves_urls_times_placeholders_and_tags_alone(text, expected):
    assert fix_french(text) == expected
    assert fix_french(expected) == expected
    assert french_typography_faults(expected) == []
    assert bool(french_typography_faults(text)) == (text != expected)


NNBSP = "\u202f"


@pytest.mark.parametrize(("value", "expected"), [
    (35000, f"35{NNBSP}000{NBSP}€"), (61.2, f"61,20{NBSP}€"), (0, f"0{NBSP}€"),
    ("1234567", f"1{NNBSP}234{NNBSP}567{NBSP}€"),
    (None, ""),
])
def test_euros_as_french_readers_write_them(value, expected):
    with translation.override("fr"):
        assert euros(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (40, f"40{NBSP}%"), (12.5, f"12,5{NBSP}%"), (33.333, f"33,3{NBSP}%"), (100.0, f"100{NBSP}%"), (5.04, f"5{NBSP}%"),
    (None, ""),
])
def test_percent_as_french_readers_write_them(value, expected):
    with translation.override("fr"):
        assert percent(value) == expected


def test_the_euros_and_percent_filters_render_french_figures():
    template = Template("{% load french %}{{ cost|euros }} · {{ price|euros:True }} · {{ share|percent }}")
    with translation.override("fr"):
        html = template.render(Context({"cost": 35000, "price": 75, "share": 40}))
    assert html == f"35{NNBSP}000{NBSP}€ · 75,00{NBSP}€ · 40{NBSP}%"



@pytest.mark.parametrize(("value", "expected"), [
    (12345, f"12{NNBSP}345"), (1234567, f"1{NNBSP}234{NNBSP}567"), (999, "999"), (3.25, "3,3"), (4.0, "4"),
    ("2500", f"2{NNBSP}500"), (None, ""),
])
def test_counts_group_thousands_with_a_narrow_no_break_space(value, expected):
    with translation.override("fr"):
        assert number(value) == expected


def test_every_way_of_writing_a_figure_uses_the_same_thousands_separator():
    """Vote counts (number_format), populations (intcomma), charts and amounts: U+202F, the French typographic
    norm, never U+00A0 (Django's own French format, overridden in concerto/core/formats/fr)."""
    from django.utils.formats import number_format

    from concerto.core.charts import Chart

    template = Template('{% load humanize french %}{{ n|intcomma }}|{{ f|floatformat:"g" }}|{{ n|number }}|'
                        '{{ n|euros }}|{{ n|number:0 }}')
    chart = Chart(title="Votes", rows=[("Sceaux", 12345)])
    with translation.override("fr"):
        figures = [number_format(12345, force_grouping=True),
                   *template.render(Context({"n": 12345, "f": 12345.5})).split("|")]
        table = Template('{% include "core/chart.html" with chart=chart id="votes" %}').render(
            Context({"chart": chart}))
        svg = str(chart.svg)
    assert figures == [f"12{NNBSP}345", f"12{NNBSP}345", f"12{NNBSP}345,5", f"12{NNBSP}345",
                       f"12{NNBSP}345{NBSP}€", f"12{NNBSP}345"]
    assert f"<td>12{NNBSP}345</td>" in table and f"12{NNBSP}345" in svg
    assert not re.search(r"\d\u00a0\d", table + svg)


# A time written for people: `|hour` / `|day_and_hour` (« 14 h 30 »). H:i stays where a machine reads it: the
# datetime attribute of <time>, the value of a form field.
_MACHINE_TIME = re.compile(r"""(?:datetime|value)=["']\{\{[^}]*\}\}""")
_CLOCK_TIME = re.compile(r"""\{\{[^}]*(?:[GH]:i|\|time\b|DATETIME_FORMAT)[^}]*\}\}"""
                         r"""|\{%[^%]*(?:[GH]:i|\|time\b|DATETIME_FORMAT)[^%]*%\}""")


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_write_times_14_h_30(path):
    text = _MACHINE_TIME.sub("", path.read_text(encoding="utf-8"))
    assert not _CLOCK_TIME.findall(text), "use {{ moment|hour }} or {{ moment|day_and_hour:\"j F Y\" }}"


def test_times_are_written_14_h_30_in_the_local_time_zone():
    afternoon = datetime.datetime(2026, 12, 7, 13, 30, tzinfo=datetime.UTC)  # 14:30 in Paris
    morning = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=datetime.UTC)
    with translation.override("fr"):
        assert hour(afternoon) == f"14{NBSP}h{NBSP}30" and hour(morning) == f"9{NBSP}h"
        assert day_and_hour(afternoon) == f"lundi 7 décembre 2026, 14{NBSP}h{NBSP}30"
        html = Template('{% load french %}{{ at|hour }} · {{ at|day_and_hour:"j F Y" }}').render(
            Context({"at": afternoon}))
    assert html == f"14{NBSP}h{NBSP}30 · 7 décembre 2026, 14{NBSP}h{NBSP}30"
    assert hour(None) == "" and day_and_hour(None) == ""


def test_collation_sorts_communes_as_a_french_reader_expects():
    names = ["Vincennes", "Épinay-sur-Seine", "Enghien-les-Bains", "Le Blanc-Mesnil", "L'Haÿ-les-Roses",
             "Bagneux", "Ézanville", "Saint-Denis", "Sceaux", "Eaubonne", "L’Île-Saint-Denis"]
    assert sorted(names, key=collation_key) == [
        "Bagneux", "Le Blanc-Mesnil", "Eaubonne", "Enghien-les-Bains", "Épinay-sur-Seine", "Ézanville",
        "L'Haÿ-les-Roses", "L’Île-Saint-Denis", "Saint-Denis", "Sceaux", "Vincennes",
    ]


def test_sort_by_name_uses_the_name_of_each_item():
    class Commune:
        def __init__(self, name):
            self.name = name

    assert [c.name for c in sort_by_name([Commune("Épinay"), Commune("Enghien"), Commune("Ablon")])] == [
        "Ablon", "Enghien", "Épinay"]
