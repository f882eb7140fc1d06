"""The pabulib reader's fast paths (unquoted files split without the csv module, approval ballots read with
less work per row) read every file exactly as the general paths do: the same election, or the same error."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concerto.components.budgets.counting import CountingError, pabulib
from concerto.testing import SHARED_DATA

FILES = sorted((SHARED_DATA / "pabulib").glob("*.pb")) if (SHARED_DATA / "pabulib").exists() else []


def read_both(text: str):
    """What the fast and the general paths make of the text: an Election or the error message."""
    results = []
    for fast in (True, False):
        previous, pabulib.FAST = pabulib.FAST, fast
        try:
            with translation.override("fr"):
                results.append(pabulib.read(text))
        except CountingError as error:
            results.append(str(error))
        finally:
            pabulib.FAST = previous
    return results


@pytest.mark.skipif(not FILES, reason="no pabulib files in ../shared/data/pabulib")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem[:40])
def test_every_shared_file_reads_the_same_on_both_paths(path):
    fast, general = read_both(path.read_text(encoding="utf-8-sig"))
    assert not isinstance(fast, str) and fast == general


def test_the_fast_path_is_taken_for_an_unquoted_file_and_not_for_a_quoted_one(monkeypatch):
    calls = []
    monkeypatch.setattr(pabulib, "_rows", lambda text: calls.append(text) or iter(()))
    pabulib._table("META\nkey;value\n")
    assert calls == []
    pabulib._table('META\nkey;"value"\n')
    assert len(calls) == 1


# Files close to valid ones, with what trips readers: blank and whitespace-only lines, lines of separators,
# spaces around ids, empty and repeated ids in a vote, unknown ids, short and long rows, extra columns.
CELL = st.sampled_from(["", " ", "1", "2", "10", " 2", "1 ", "x", "1,2", "2,1", "1, 2", "1,,2", "1,1", "10,2,1",
                        "\t1", "a b"])


@st.composite
def files(draw):
    kind = draw(st.sampled_from(["approval", "choose-1", "cumulative", "ordinal"]))
    columns = draw(st.sampled_from([["voter_id", "vote"], ["vote"], ["voter_id", "vote", "age"],
                                    ["vote", "voter_id"]]))
    if kind == "cumulative":
        columns = [*columns, "points"]
    lines = ["META", "key;value", "budget;100", f"vote_type;{kind}"]
    lines += draw(st.lists(st.sampled_from(["", "  ", ";", " ; "]), max_size=2))
    lines += ["PROJECTS", "project_id;cost", "1;50", "2;60", "10;5"]
    lines += ["VOTES", ";".join(columns)]
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        width = draw(st.sampled_from([len(columns), len(columns), len(columns) - 1, len(columns) + 1]))
        lines.append(";".join(draw(CELL) for _ in range(max(width, 0))))
    lines += draw(st.lists(st.sampled_from(["", "  ", ";;"]), max_size=2))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_random_files_read_the_same_on_both_paths(text):
    fast, general = read_both(text)
    assert fast == general


@pytest.mark.skipif(not FILES, reason="no pabulib files in ../shared/data/pabulib")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem[:40])
def test_reading_for_counting_alone_gives_the_same_ballots_without_the_voters_columns(path):
    """`manage.py pb_count` reads with voters=False: same ballots and projects, no voter_meta kept."""
    text = path.read_text(encoding="utf-8-sig")
    full, lean = pabulib.read(text), pabulib.read(text, voters=False)
    assert lean.ballots == full.ballots and lean.costs == full.costs and lean.budget == full.budget
    assert lean.kind == full.kind and lean.meta == full.meta
    assert lean.voter_meta == [] if lean.kind == "approval" else lean.voter_meta == full.voter_meta
