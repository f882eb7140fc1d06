"""The pabulib reader's fast paths (unquoted files split without the csv module, approval ballots read with
less work per row) read every file exactly as the general paths do: the same election, or the same error."""

from __future__ import annotations

from dataclasses import replace

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


def read_both_for_counting(text: str):
    """The same as read_both, reading for counting alone (voters=False: the plain approval path). The
    general path keeps the voters' columns all the same: they are left out of the comparison."""
    results = []
    for fast in (True, False):
        previous, pabulib.FAST = pabulib.FAST, fast
        try:
            with translation.override("fr"):
                election = pabulib.read(text, voters=False)
            results.append(replace(election, voter_meta=[]) if election.kind == "approval" else election)
        except CountingError as error:
            results.append(str(error))
        finally:
            pabulib.FAST = previous
    return results


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files(), st.booleans(), st.sampled_from(["", "\nVOTES", "\nmeta;", "\nPROJECTS"]))
def test_random_files_read_for_counting_alone_the_same_on_both_paths(text, rename, stray):
    """Among the VOTES rows, a section line is an error and not a vote, even when a project is named so."""
    text = (text.replace("10", "Meta") if rename else text) + stray
    fast, general = read_both_for_counting(text)
    assert fast == general
    if not isinstance(fast, str):
        assert list(map(list, fast.ballots)) == list(map(list, general.ballots))  # the order of the votes too


def test_the_plain_approval_path_is_taken_for_a_plain_file():
    text = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;50\n2;60\n" \
           "VOTES\nvoter_id;vote\n1;1,2\n2;2\n3;1,2\n\n"
    election = pabulib._read_plain_approvals(text)
    assert election is not None and election.ballots == [{"1": 1, "2": 1}, {"2": 1}, {"1": 1, "2": 1}]
    assert election.ballots[0] is election.ballots[2]  # one dict per distinct vote cell
    assert pabulib._read_plain_approvals(text.replace("3;1,2", "3;1, 2")) is None  # the general path reads it


PLAIN = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;50\nMeta;60\nVOTES\n"


@pytest.mark.parametrize("votes", [
    "vote;voter_id\n1;1\nMeta;\n",  # a section line, not a vote for the project Meta
    "vote\n1\nMeta\n",
    "voter_id;vote\n1;1\n;\n2;Meta\n",  # a blank row in the middle
    "voter_id;vote\n1;1\n2;\n",  # an empty vote
    "voter_id;vote\n1;1\n2;1,1\n",  # a project twice
    "voter_id;vote\n1;1\n2;1,Meta\nVOTES\n",  # a section line at the end
    "voter_id;vote\n1;1\n2;1,Meta\n  \n;;\n",  # blank lines at the end
    "voter_id;vote\n1;1\n2;1,Meta;3\n",  # a longer row
    "voter_id;vote;age\n1;1;3\n2\n",  # a shorter row
    "\nvoter_id;vote\n\n1;1\n2;Meta,1\n",  # blank lines before and after the header
])
def test_files_close_to_plain_ones_read_for_counting_alone_the_same_on_both_paths(votes):
    fast, general = read_both_for_counting(PLAIN + votes)
    assert fast == general
    if not isinstance(fast, str):
        assert list(map(list, fast.ballots)) == list(map(list, general.ballots))
