"""Audit log entries in words: every action code the code writes has a French label, and the page shows it."""

import ast
import html
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from concerto.core.audit.labels import SUFFIX_ACTION_LABELS
from concerto.core.audit.services import audit_record
from concerto.core.backoffice.audit_labels import action_label, action_labels

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"^[a-z_0-9]+\.[a-z_0-9]+$")


def _codes_in(node) -> set[str]:
    return {c.value for c in ast.walk(node)
            if isinstance(c, ast.Constant) and isinstance(c.value, str) and CODE.match(c.value)}


def written_action_codes() -> tuple[set[str], set[str]]:
    """Action codes passed to audit_record (and to the helpers that call it) anywhere in the product, and the
    literal ends of the codes built with an f-string ("{kind}.category_created")."""
    codes, suffixes = set(), set()
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {"tests", "migrations", "browser"} or path.name in {"conftest.py", "testing.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                callee = getattr(node.func, "id", getattr(node.func, "attr", ""))
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        if isinstance(keyword.value, ast.JoinedStr):
                            suffixes.add(keyword.value.values[-1].value)
                        else:
                            codes |= _codes_in(keyword.value)
                if "audit" in callee:
                    for arg in node.args:
                        codes |= _codes_in(arg)
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "action" for t in node.targets):
                codes |= _codes_in(node.value)
    return codes, suffixes


def test_the_scan_finds_the_action_codes_of_kernel_and_components():
    codes, suffixes = written_action_codes()
    assert {"reports.note_added", "space.published", "budgets.paper_decided", "event.checked_in",
            "consultations.question_moved", "event.board_closed"} <= codes
    assert ".category_created" in suffixes
    assert len(codes) > 100


def test_every_audit_action_written_anywhere_has_a_french_label():
    codes, suffixes = written_action_codes()
    with translation.override("fr"):
        missing = sorted(code for code in codes if str(action_label(code)) == code)
        missing += sorted(suffix for suffix in suffixes if suffix not in SUFFIX_ACTION_LABELS)
        french = {code: str(label) for code, label in action_labels().items()}
    with translation.override("en"):
        untranslated = sorted(code for code, label in action_labels().items() if str(label) == french[code])
    assert not missing, f"Give these audit actions a label (core/audit/labels.py or the manifest): {missing}"
    assert not untranslated, f"Translate these audit labels in the app's django.po: {untranslated}"


def test_a_component_action_has_its_words():
    with translation.override("fr"):
        assert str(action_label("reports.note_added")) == "Note interne ajoutée au signalement"
        assert str(action_label("proposals.category_deleted")) == "Catégorie supprimée"
        assert action_label("old.unknown_code") == "old.unknown_code"


@pytest.mark.django_db
def test_the_audit_page_shows_words_not_codes(staff_client, admin_sceaux, sceaux):
    audit_record(actor=admin_sceaux, action="reports.note_added", organisation=sceaux)
    page = html.unescape(staff_client(admin_sceaux).get(reverse("backoffice:audit", args=["sceaux"])).content.decode())
    assert "<td>Note interne ajoutée au signalement</td>" in page
    assert ">reports.note_added<" not in page and "(reports.note_added)" not in page
