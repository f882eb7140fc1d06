"""The add1 completion skips the budget increments that cannot change the outcome, with stepping's outcome.

Stepping (`fastmes.SKIP = False`) runs the rule at every increment, as pabutools does; test_counting.py
checks stepping and pabutools agree. Here the skip must give exactly stepping's outcome (selection,
order, prices, money left and the final budget per voter) on every shared file and on random elections,
and must actually skip.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concerto.components.budgets.counting import Election, count, fastmes, read_pabulib, write_pabulib
from concerto.components.budgets.tests.test_counting import pabutools_count
from concerto.testing import SHARED_DATA

DATA = SHARED_DATA / "pabulib"
FILES = sorted(DATA.glob("*.pb")) if DATA.exists() else []
APPROVAL = [path for path in FILES if read_pabulib(path.read_text(encoding="utf-8")).kind == "approval"]
needs_data = pytest.mark.skipif(not FILES, reason="no pabulib files in ../shared/data/pabulib")


def completion(election: Election, *, skip: bool, monkeypatch=None):
    """The "mes" outcome as JSON, and how many full runs of the rule it took."""
    runs = []
    original = fastmes.run

    def counted(*args, **kwargs):
        runs.append(args[1])
        return original(*args, **kwargs)

    previous = fastmes.SKIP, fastmes.run
    fastmes.SKIP, fastmes.run = skip, counted
    try:
        return count(election, "mes").to_json(), len(runs)
    finally:
        fastmes.SKIP, fastmes.run = previous


@needs_data
@pytest.mark.parametrize("path", APPROVAL, ids=lambda p: p.stem[:40])
def test_skipping_gives_the_outcome_of_stepping_on_every_shared_file(path):
    election = read_pabulib(path.read_text(encoding="utf-8"))
    skipped, _ = completion(election, skip=True)
    stepped, _ = completion(election, skip=False)
    assert skipped == stepped


@needs_data
@pytest.mark.parametrize("name,most", [("Netherlands_Assen_2024.pb", 80), ("Poland_Zabrze_2020_Konczyce.pb", 20),
                                       ("US_Stanford_Dataset_2022_Jersey_City_Ward_B_vote_knapsacks.pb", 30)])
def test_the_completion_runs_far_fewer_increments_than_stepping(name, most):
    election = read_pabulib((DATA / name).read_text(encoding="utf-8"))
    _, skipping = completion(election, skip=True)
    _, stepping = completion(election, skip=False)
    assert stepping > 600  # 845, 2216 and 628 increments
    assert skipping <= most


def forint_election(seed: int, voters: int = 1500, projects: int = 25) -> Election:
    """A budget in forints: costs in millions, so the completion adds thousands of 1-forint increments."""
    rng = random.Random(seed)
    ids = [str(100 + k) for k in range(projects)]
    costs = {p: int(round(30_000 * (40 ** rng.random()), -2)) for p in ids}
    popularity = [rng.lognormvariate(0, 0.9) for _ in ids]
    ballots = []
    for _ in range(voters):
        chosen: dict[str, int] = {}
        length = rng.choice((1, 2, 2, 3, 3, 4, 5, 6))
        while len(chosen) < length:
            chosen[rng.choices(ids, weights=popularity)[0]] = 1
        ballots.append(chosen)
    return Election(budget=int(round(sum(costs.values()) * 0.4, -5)), costs=costs, ballots=ballots)


def test_a_budget_in_forints_completes_with_a_fraction_of_the_runs():
    election = forint_election(2024)
    skipped, skipping = completion(election, skip=True)
    stepped, stepping = completion(election, skip=False)
    assert skipped == stepped
    increments = round(skipped["voter_budget"] - election.budget / len(election.ballots))
    assert stepping in (increments + 1, increments + 2) and increments > 1000
    assert skipping < stepping / 4


def test_an_outcome_that_changes_is_not_taken_for_the_same():
    """The check behind the skip refuses a range in which the selection changes."""
    election = forint_election(7, voters=400, projects=12)
    prep = fastmes.prepare(election)
    data = fastmes.FastData(prep)
    start = Fraction(election.budget) / prep.voters
    before = fastmes.run(prep, start, data)
    step = 1
    while [j for j, _ in fastmes.run(prep, start + step, data).selected] == [j for j, _ in before.selected]:
        step += 1
    assert fastmes._same_outcome_until(data, before.selected, before.rounds, start + step) is None
    assert fastmes._same_outcome_until(data, before.selected, before.rounds, start + step + 50) is None
    if step > 2:
        assert fastmes._same_outcome_until(data, before.selected, before.rounds, start + 1) is not None


def test_progress_is_reported_as_the_share_of_the_budget_spent():
    seen = []
    outcome = count(forint_election(3, voters=300, projects=10), "mes", progress=seen.append)
    assert seen and all(0 <= value <= 1 for value in seen)
    assert seen[-1] == pytest.approx(float(outcome.spent) / float(outcome.budget))


# Random elections with ties and costs close to what voters hold: the skip must never change an outcome.
@st.composite
def elections(draw):
    projects = draw(st.integers(min_value=2, max_value=9))
    unit = draw(st.sampled_from([1, 25, 1000]))
    costs = {str(k): draw(st.integers(min_value=1, max_value=60)) * unit for k in range(projects)}
    voters = draw(st.integers(min_value=3, max_value=60))
    rng = random.Random(draw(st.integers(min_value=0, max_value=10**6)))
    ids = list(costs)
    ballots = [dict.fromkeys(rng.sample(ids, rng.randint(0, projects)), 1) for _ in range(voters)]
    budget = int(sum(costs.values()) * draw(st.floats(min_value=0.05, max_value=0.9)))
    return Election(budget=budget, costs=costs, ballots=ballots)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_random_elections_complete_as_stepping_completes_them(election):
    assert completion(election, skip=True)[0] == completion(election, skip=False)[0]


def _same_runs(prep, data, start, size):
    """The runs `_downwards` makes (each borrowing the bounds of the run above it) against plain runs: the
    same decisions (projects, in order, and exact rhos); floats equal but for the last bits (sums taken
    over other supporters), which is why the completion runs the outcome it keeps again, plainly."""
    borrowed = fastmes._downwards(prep, data, start, size)
    for per_voter, result in borrowed.items():
        plain = fastmes.run(prep, per_voter, data)
        assert [j for j, _ in result.selected] == [j for j, _ in plain.selected], per_voter
        if plain.rounds is not None:  # a plain run that met a near tie ran exactly: exact runs keep no rounds
            assert [w for _, w in result.rounds or []] == [w for _, w in plain.rounds]
        assert [float(p) for _, p in result.selected] == pytest.approx([float(p) for _, p in plain.selected],
                                                                       rel=1e-12)


@needs_data
@pytest.mark.parametrize("path", APPROVAL, ids=lambda p: p.stem[:40])
def test_runs_that_borrow_the_bounds_of_the_run_above_are_plain_runs_on_every_shared_file(path):
    election = read_pabulib(path.read_text(encoding="utf-8"))
    prep = fastmes.prepare(election)
    data = fastmes.FastData(prep)
    _same_runs(prep, data, Fraction(election.budget) / prep.voters, 12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.integers(min_value=0, max_value=40), st.integers(min_value=2, max_value=8))
def test_runs_that_borrow_the_bounds_of_the_run_above_are_plain_runs(election, offset, size):
    prep = fastmes.prepare(election)
    if not prep.names:
        return
    data = fastmes.FastData(prep)
    _same_runs(prep, data, Fraction(election.budget) / prep.voters + offset, size)


def test_borrowed_bounds_spare_evaluations(monkeypatch):
    """The point of borrowing: the same runs with fewer evaluations of projects (counted in the numpy runs;
    the compiled ones borrow the same way, test_counting_compiled.py)."""
    monkeypatch.setattr(fastmes, "COMPILED", False)
    election = forint_election(11, voters=1200, projects=25)
    prep = fastmes.prepare(election)
    data = fastmes.FastData(prep)
    calls = []
    original = fastmes._evaluate
    monkeypatch.setattr(fastmes, "_evaluate", lambda *args: calls.append(1) or original(*args))
    start = Fraction(election.budget) / prep.voters
    fastmes._downwards(prep, data, start, 16)
    borrowed = len(calls)
    calls.clear()
    for k in range(16):
        fastmes.run(prep, start + k, data)
    assert borrowed < 0.8 * len(calls)



def prefix_case():
    """An election, and the run six units above its start, whose first two rounds are a prefix with a
    margin above 1: the run one unit lower can start after them."""
    election = forint_election(5, voters=2000, projects=20)
    prep = fastmes.prepare(election)
    data = fastmes.FastData(prep)
    start = Fraction(election.budget) / prep.voters
    above = fastmes.run(prep, start + 6, data)
    assert len(above.margins) >= 2 and above.margins[1] > 1
    return prep, data, start, above


def test_a_run_one_unit_lower_starts_after_the_prefix_of_the_run_above(monkeypatch):
    """The rounds where everyone paid the equal share above are not evaluated again one unit lower (nor
    paid: the budgets are the run above's less one), and the run still decides as a plain run does."""
    monkeypatch.setattr(fastmes, "COMPILED", False)  # payments counted in the numpy runs
    prep, data, start, above = prefix_case()
    paid = []
    original = fastmes._pay
    monkeypatch.setattr(fastmes, "_pay", lambda budget, j, *args: paid.append(j) or original(budget, j, *args))
    lower = fastmes.run(prep, start + 5, data, above)
    skipped = [j for j, _ in lower.selected[:len(lower.selected) - len(paid)]]
    assert len(skipped) >= 2 and skipped == [j for j, _ in above.selected[:len(skipped)]]
    plain = fastmes.run(prep, start + 5, data)
    assert [j for j, _ in lower.selected] == [j for j, _ in plain.selected]
    assert [w for _, w in lower.rounds] == [w for _, w in plain.rounds]
    assert lower.budgets == pytest.approx(plain.budgets, rel=1e-12, abs=1e-9)
    assert lower.borrowed and not plain.borrowed


# Edge cases of the skip: exact ties between projects (many identical ballots, equal costs) and projects that
# become affordable exactly at an increment (cost = supporters x a whole budget per voter that the completion
# reaches). Each must complete as stepping does, and as pabutools does.
@st.composite
def jump_elections(draw):
    voters = draw(st.integers(min_value=6, max_value=40))
    projects = draw(st.integers(min_value=3, max_value=8))
    ids = [str(k) for k in range(projects)]
    patterns = draw(st.lists(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True),
                             min_size=2, max_size=6))
    ballots = [dict.fromkeys(draw(st.sampled_from(patterns)), 1) for _ in range(voters)]
    per_voter = draw(st.integers(min_value=1, max_value=60))  # the starting budget per voter, a whole number
    budget = per_voter * voters
    supporters = {p: sum(p in ballot for ballot in ballots) for p in ids}
    costs = {}
    for p in ids:
        if supporters[p] and draw(st.booleans()):  # affordable exactly at per_voter + jump, within the budget
            most = max(0, budget // (2 * supporters[p]) - per_voter)
            costs[p] = supporters[p] * (per_voter + draw(st.integers(min_value=0, max_value=most)))
        else:  # equal costs: ties
            costs[p] = draw(st.sampled_from([per_voter * 2, budget // 3, 97]))
    return Election(budget=budget, costs=costs, ballots=ballots, meta={"budget": str(budget), "vote_type": "approval"})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(jump_elections())
def test_ties_and_projects_affordable_exactly_at_an_increment_complete_as_stepping(election):
    assert completion(election, skip=True)[0] == completion(election, skip=False)[0]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(jump_elections())
def test_ties_and_exact_jumps_complete_as_pabutools_completes_them(election):
    pytest.importorskip("pabutools")
    assert count(election, "mes").selected == pabutools_count(write_pabulib(election), "mes")


def test_a_project_affordable_exactly_inside_a_skipped_range_is_not_jumped_over():
    """In a forint election whose completion skips most increments, a project whose supporters hold exactly
    its cost when a run starts at one increment in the middle of the completion (it comes into reach there):
    skipping must give stepping's outcome, and still skip."""
    election = forint_election(2024)
    voters = len(election.ballots)
    election.budget -= election.budget % voters  # a whole budget per voter to start with
    stepped, stepping = completion(election, skip=False)
    middle = election.budget // voters + stepping // 2  # an increment in the middle of the completion
    fan = [ballot for ballot in election.ballots if "100" in ballot]
    for ballot in fan[: len(fan) // 3]:
        ballot["999"] = 1
    supporters = sum("999" in ballot for ballot in election.ballots)
    election.costs["999"] = supporters * middle  # its supporters hold exactly its cost at `middle`
    skipped, skipping = completion(election, skip=True)
    stepped, stepping = completion(election, skip=False)
    assert skipped == stepped
    assert skipping < stepping / 4


# The warm start of the price search (`fastmes.WARM`): a project's price is searched from its rho lower bound
# rather than from the equal share. It must change no outcome, to the last bit, and spare steps.
def outcomes(election: Election, *, warm: bool) -> list:
    """Both equal shares rules' outcomes, with prices and money left as computed (not rounded to cents)."""
    previous = fastmes.WARM
    fastmes.WARM = previous if warm else 0.0
    try:
        found = [count(election, rule) for rule in ("mes-fixed", "mes")]
    finally:
        fastmes.WARM = previous
    return [(outcome.to_json(), [(p.project, p.price_per_supporter, p.supporters_money_left)
                                 for p in outcome.projects.values()]) for outcome in found]


@needs_data
@pytest.mark.parametrize("path", APPROVAL, ids=lambda p: p.stem[:40])
def test_a_warm_start_gives_the_same_outcomes_on_every_shared_file(path):
    election = read_pabulib(path.read_text(encoding="utf-8"))
    assert outcomes(election, warm=True) == outcomes(election, warm=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_a_warm_start_gives_the_same_outcomes_on_random_elections(election):
    assert outcomes(election, warm=True) == outcomes(election, warm=False)


def test_a_warm_start_spares_steps_of_the_price_search(monkeypatch):
    """Runs from the highest increment down (`_downwards`, the completion's runs where the order of selection
    keeps changing) search each price from the rho the run above had: the same runs, with fewer steps (each
    step sums the money of the poor once: one einsum)."""
    election = forint_election(11, voters=1200, projects=25)
    prep = fastmes.prepare(election)
    data = fastmes.FastData(prep)
    start = Fraction(election.budget) / prep.voters
    monkeypatch.setattr(fastmes, "COMPILED", False)  # steps counted in the numpy runs
    steps = []
    original = fastmes._einsum
    monkeypatch.setattr(fastmes, "_einsum", lambda *args: steps.append(1) or original(*args))
    warm = fastmes._downwards(prep, data, start, 16)
    warm_steps = len(steps)
    steps.clear()
    monkeypatch.setattr(fastmes, "WARM", 0.0)
    cold = fastmes._downwards(prep, data, start, 16)
    assert {t: run.selected for t, run in warm.items()} == {t: run.selected for t, run in cold.items()}
    assert warm_steps < 0.8 * len(steps)


def test_a_project_its_supporters_can_just_pay_is_in_reach_at_the_first_round():
    """Round one decides in floats, and exactly (integers) within 1e-9 of the cost: a project whose three
    supporters hold exactly its cost is in reach, and out of reach a trillionth of a unit lower."""
    election = Election(budget=3_000_000_001, costs={"a": 3_000_000_001, "b": 10},
                        ballots=[{"a": 1}, {"a": 1}, {"a": 1, "b": 1}])
    data = fastmes.FastData(fastmes.prepare(election))
    per_voter = Fraction(3_000_000_001, 3)
    _budget, stale, weight = fastmes._round_one(data, per_voter)
    assert stale.tolist() == [1 / 3, 1.0] and weight.tolist() == [3, 1]
    _budget, stale, weight = fastmes._round_one(data, per_voter - Fraction(1, 10**12))
    assert stale.tolist() == [float("inf"), 1.0] and weight.tolist() == [0, 1]


@pytest.mark.parametrize("projects", [5, 70])  # one 64-bit word per ballot, or more
def test_prepare_on_shared_ballot_dicts_is_prepare_on_copies(projects):
    """Ballots read for counting alone share one dict per vote cell; prepare counts each dict once, with
    its voters: the same distinct ballots, weights and supporters (in the same order) as from copies."""
    rng = random.Random(projects)
    ids = [str(100 + i) for i in range(projects)]
    cells = [rng.sample(ids, rng.randint(0, min(6, projects))) for _ in range(300)]
    lines = ["META", "key;value", "budget;1000", "vote_type;approval", "PROJECTS", "project_id;cost"]
    lines += [f"{p};{rng.choice([0, 10, 20]) if projects < 10 else 10}" for p in ids]
    lines += ["VOTES", "voter_id;vote"] + [f"{v};{','.join(rng.choice(cells))}" for v in range(2000)]
    text = "\n".join(lines) + "\n"
    shared, copies = read_pabulib(text, voters=False), read_pabulib(text)
    assert len({id(ballot) for ballot in shared.ballots}) < len(shared.ballots)
    one, other = fastmes.prepare(shared), fastmes.prepare(copies)
    assert (one.names, one.costs, one.weights, one.voters, one.votes) == \
        (other.names, other.costs, other.weights, other.voters, other.votes)
    assert [group.tolist() for group in one.supporters] == [group.tolist() for group in other.supporters]
