"""The compiled run of equal shares (counting/_mes.c) decides as the numpy run does, everywhere.

`fastmes.COMPILED` is on when `make install` could build the module (a C compiler); the numpy runs are the
reference here, themselves checked against exact arithmetic and pabutools (test_counting.py,
test_counting_skip.py). Both must select the same projects in the same order, with the same exact 1 / rho
where there is one and the same prices and money left to float precision: plain runs, runs one unit below
another (borrowed bounds and prefix), whole completions (two threads), on every shared file and on random
elections, ties and exact jumps included.
"""

from __future__ import annotations

import shutil
import sysconfig
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concerto.components.budgets.counting import count, fastmes, read_pabulib
from concerto.components.budgets.tests.test_counting_skip import (
    APPROVAL,
    elections,
    forint_election,
    jump_elections,
    needs_data,
    prefix_case,
)

SLOW_AND_FIXTURES = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]  # monkeypatch: set per example
compiled = pytest.mark.skipif(not fastmes.COMPILED, reason="the compiled run is not built (no C compiler)")


def test_the_compiled_run_is_built_where_a_c_compiler_is():
    """`make install` builds it (setup.py): a machine with the compiler Python was built with has it."""
    compiler = (sysconfig.get_config_var("CC") or "").split()
    if not compiler or not shutil.which(compiler[0]):
        pytest.skip("no C compiler here: the numpy runs count")
    assert fastmes.COMPILED, "counting/_mes.c is not built, or built from another version: run `make install`"


def _both(function, monkeypatch):
    """FUNCTION's result with the compiled runs, then with the numpy runs (on fresh FastData each time)."""
    found = []
    for on in (True, False):
        monkeypatch.setattr(fastmes, "COMPILED", on)
        found.append(function())
    return found


def _decisions(result):
    return ([j for j, _ in result.selected], [weight for _, weight in result.rounds or []])


def _same(fast, slow):
    assert _decisions(fast) == _decisions(slow)
    assert [float(p) for _, p in fast.selected] == pytest.approx([float(p) for _, p in slow.selected], rel=1e-12)
    assert [rho for rho, _ in fast.rounds] == pytest.approx([rho for rho, _ in slow.rounds], rel=1e-12)


def _runs(election, offsets, borrowing: bool):
    """Runs at the start budget per voter plus each offset (highest first, each borrowing from the one above)."""
    prep = fastmes.prepare(election)
    data = fastmes.FastData(prep)
    start = Fraction(election.budget) / prep.voters
    found, above = [], None
    for offset in sorted(offsets, reverse=True):
        try:
            result = fastmes._run_fast(data, start + offset, above if borrowing else None)
        except fastmes._Ambiguous:
            result, above = None, None
        else:
            above = result
        found.append(result)
    return found


def _compare_runs(election, offsets, monkeypatch, borrowing=True):
    fast, slow = _both(lambda: _runs(election, offsets, borrowing), monkeypatch)
    for mine, reference in zip(fast, slow, strict=True):
        if mine is None or reference is None:
            # Too close for floats in one of them: both decide exactly then (`run` falls back), nothing to compare.
            continue
        _same(mine, reference)


@compiled
@needs_data
@pytest.mark.parametrize("path", APPROVAL, ids=lambda p: p.stem[:40])
def test_compiled_runs_decide_as_numpy_runs_on_every_shared_file(path, monkeypatch):
    election = read_pabulib(path.read_text(encoding="utf-8"))
    _compare_runs(election, range(0, 24, 3), monkeypatch, borrowing=False)
    _compare_runs(election, range(12), monkeypatch)


@compiled
@settings(max_examples=80, deadline=None, suppress_health_check=SLOW_AND_FIXTURES)
@given(elections(), st.integers(min_value=0, max_value=40), st.integers(min_value=1, max_value=8))
def test_compiled_runs_decide_as_numpy_runs_on_random_elections(monkeypatch, election, offset, size):
    if not fastmes.prepare(election).names:
        return
    _compare_runs(election, range(offset, offset + size), monkeypatch)


@compiled
@settings(max_examples=60, deadline=None, suppress_health_check=SLOW_AND_FIXTURES)
@given(jump_elections())
def test_compiled_runs_decide_ties_and_exact_jumps_as_numpy_runs(monkeypatch, election):
    """Many identical ballots and equal costs: exact 1 / rho decide ties, or the run goes exact."""
    assert _outcome_json(election, monkeypatch, True) == _outcome_json(election, monkeypatch, False)


def _outcome_json(election, monkeypatch, on: bool):
    monkeypatch.setattr(fastmes, "COMPILED", on)
    return [count(election, rule).to_json() for rule in ("mes-fixed", "mes")]


@compiled
@needs_data
@pytest.mark.parametrize("path", APPROVAL, ids=lambda p: p.stem[:40])
def test_a_compiled_count_gives_the_outcome_of_the_numpy_count_on_every_shared_file(path, monkeypatch):
    """Whole counts (the completion, its blocks of increments in two threads): the same outcome, with prices
    and money left to the cent."""
    election = read_pabulib(path.read_text(encoding="utf-8"))
    assert _outcome_json(election, monkeypatch, True) == _outcome_json(election, monkeypatch, False)


@compiled
def test_a_budget_in_forints_completes_in_two_threads_as_in_one(monkeypatch):
    election = forint_election(7, voters=1500, projects=25)
    found = []
    for parallel in (True, False):
        monkeypatch.setattr(fastmes, "PARALLEL", parallel)
        found.append(count(election, "mes").to_json())
    assert found[0] == found[1]
    monkeypatch.setattr(fastmes, "COMPILED", False)
    assert count(election, "mes").to_json() == found[0]


@compiled
def test_a_compiled_run_one_unit_lower_borrows_the_prefix_of_the_run_above(monkeypatch):
    """The run below starts after the prefix rounds of the run above (it does not select them again) and
    keeps selecting as a plain run does."""
    prep, data, start, above = prefix_case()
    calls = []
    original = fastmes._mes.run
    monkeypatch.setattr(fastmes._mes, "run", lambda *args: calls.append(len(args[5])) or original(*args))
    lower = fastmes.run(prep, start + 5, data, above)
    plain = fastmes.run(prep, start + 5, data)
    assert calls[0] >= 2  # rounds borrowed: the compiled run started after them
    assert calls[1] == 0
    _same(lower, plain)
    assert lower.budgets == pytest.approx(plain.budgets, rel=1e-12, abs=1e-9)
    assert lower.borrowed and not plain.borrowed


@compiled
def test_a_completion_keeps_budgets_only_for_the_outcome():
    """Runs inside the completion keep no budgets (nothing the size of the electorate per run); the outcome's
    run does, so the money left of losing projects is shown."""
    election = forint_election(3, voters=800, projects=15)
    outcome = count(election, "mes")
    losers = [p for p in outcome.projects.values() if not p.selected and p.votes]
    assert losers and all(p.supporters_money_left is not None for p in losers)
    prep = fastmes.prepare(election)
    data = fastmes.FastData(prep)
    light = fastmes.run(prep, Fraction(election.budget) / prep.voters, data, keep=False)
    assert light.budgets is None


@compiled
def test_the_compiled_functions_refuse_arrays_that_do_not_fit():
    """Arrays of the wrong kind or size are refused with an exception, never read out of bounds."""
    mes = fastmes._mes
    costs, counts = np.array([10.0, 20.0]), np.array([2, 1], dtype=np.int64)
    offsets, supporters = np.array([0, 2, 3], dtype=np.int64), np.array([0, 1, 1], dtype=np.int32)
    election = mes.election(costs, counts, offsets, supporters, None)
    with pytest.raises(ValueError):
        mes.election(costs, counts, np.array([0, 2, 4], dtype=np.int64), supporters, None)
    with pytest.raises(ValueError):
        mes.election(costs, counts, offsets, np.array([0, -1, 1], dtype=np.int32), None)
    with pytest.raises(ValueError):
        mes.election(costs, counts, offsets, supporters, np.array([1.0]))  # weights for one budget, index 1 used
    with pytest.raises(TypeError):
        mes.election(costs, counts, offsets, supporters.astype(np.int64), None)
    empty, none = np.zeros(0), np.zeros(0, dtype=np.int64)
    stale = np.array([0.5, 1.0])
    with pytest.raises(ValueError):
        mes.run(election, 10.0, np.zeros(1), 1e-9, 1e-9, none, empty, empty, none, float("inf"), None)
    with pytest.raises(ValueError):
        mes.run(election, 10.0, stale.copy(), 1e-9, 1e-9, np.array([5], dtype=np.int64), np.array([1.0]),
                empty, none, float("inf"), None)
    with pytest.raises(ValueError):
        mes.run(election, 10.0, stale.copy(), 1e-9, 1e-9, none, empty, np.zeros(3), none, float("inf"), None)
    budgets = np.zeros(2)
    selected, rounds, bounds, margins = mes.run(election, 10.0, stale.copy(), 1e-9, 1e-9, none, empty, empty,
                                                none, float("inf"), budgets)
    # Two voters with 10 each: project 0 (cost 10, both) at 5 each, then project 1 (cost 20, voter 1 alone,
    # 5 left) is out of reach.
    assert selected == [(0, 5.0)] and rounds == [(0.5, 2)] and budgets.tolist() == [5.0, 5.0]
    assert margins == [5.0] and len(bounds) == 2 * 2 * 8
