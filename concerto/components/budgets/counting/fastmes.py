"""The Method of Equal Shares with cost utilities, for approval ballots (see rules.py for the rule).

Voters with the same ballot are counted once, with a weight (`prepare`, numpy). A run of the rule at a
given budget per voter is done by `_run_fast` (numpy floats, with every decision either certain or
detected as too close to call) and, when a decision is too close to call, again by `_run_exact`
(Fractions: the reference, simple and slow). The completion ("mes") gives the outcome of rerunning
the rule once per unit of budget per voter, as pabutools does, but runs only the increments where the
outcome can change (`_complete`); the numpy view of the election is built once for all runs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain

import numpy as np

from concerto.components.budgets.counting import CountingError, Election, Outcome, ProjectResult
from concerto.components.budgets.counting.messages import _

# The inner loop calls these thousands of times per run on a few thousand numbers each: numpy's Python
# wrappers (np.einsum parses its arguments in Python, np.count_nonzero dispatches) cost as much as the work.
try:
    from numpy._core.multiarray import c_einsum as _einsum
    from numpy._core.multiarray import count_nonzero as _count
except ImportError:  # pragma: no cover - numpy 1.x
    _einsum, _count = np.einsum, np.count_nonzero
_sum = np.add.reduce

# The compiled run (_mes.c), built by `make install` when a C compiler is there: the same decisions as
# `_run_fast` without numpy's per-call overhead (a Warsaw-sized completion: about 5 times faster). Without
# it, or built from another version of _mes.c, the numpy runs below do the work. Tests turn COMPILED off to
# compare both.
KERNEL_VERSION = 3
try:
    from concerto.components.budgets.counting import _mes
except ImportError:  # pragma: no cover - no C compiler at install time
    _mes = None
COMPILED = _mes is not None and getattr(_mes, "VERSION", None) == KERNEL_VERSION


@dataclass
class Prepared:
    names: list[str]  # candidate projects (supported, cost > 0), sorted by id as strings
    costs: list[int | Fraction]
    weights: list[int]  # per distinct ballot (restricted to candidates): how many voters cast it
    supporters: list  # per candidate: the distinct ballots that approve it (numpy int arrays)
    voters: int  # every ballot, empty ones included
    votes: dict[str, int] = field(default_factory=dict)  # every project: its supporters


def prepare(election: Election) -> Prepared:
    """Count the distinct ballots once; an approval is the presence of a project in a ballot.

    Ballots read for counting alone share one dict per distinct vote cell (`read_pabulib(voters=False)`):
    each dict is looked at once, with the number of voters who share it, instead of once per voter."""
    projects = list(election.costs)
    index = {p: j for j, p in enumerate(projects)}
    ballots = election.ballots
    # Voters sharing a dict (the same object): one "cell" each, its first voter and its voters.
    ids = np.fromiter(map(id, ballots), dtype=np.uint64, count=len(ballots))
    _ids, first_voter, shared = np.unique(ids, return_index=True, return_counts=True)
    cells = list(map(ballots.__getitem__, first_voter.tolist()))
    lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
    try:
        flat = np.fromiter(map(index.__getitem__, chain.from_iterable(cells)), dtype=np.int64,
                           count=int(lengths.sum()))
    except KeyError as exc:
        raise CountingError(_("A ballot names the unknown project “%(project)s”.") % {"project": exc.args[0]}) \
            from None
    all_votes = np.bincount(flat, weights=np.repeat(shared, lengths), minlength=len(projects)).astype(np.int64)
    votes = dict(zip(projects, all_votes.tolist(), strict=True))
    names = sorted(p for p in projects if election.costs[p] > 0 and votes[p] > 0)
    if not (len(ballots) and names):
        return Prepared(names=names, costs=[election.costs[p] for p in names], weights=[], supporters=[],
                        voters=len(ballots), votes=votes)
    candidate = np.full(len(projects), -1, dtype=np.int64)
    for j, p in enumerate(names):
        candidate[index[p]] = j
    # One row of bits per cell over the candidates, the most supported first (the first is the first byte's
    # high bit, as np.packbits writes them), in whole 64-bit words: equal rows are one distinct ballot. A
    # cell names a project once, so adding its bits is setting them. Distinct ballots are numbered in the
    # order of their rows, so that each candidate's supporters are a few long stretches of the budgets, the
    # most supported candidates' the longest: a run reads and pays them far faster than scattered ones.
    mapped = candidate[flat]
    keep = mapped >= 0
    mapped = mapped[keep]
    column = np.empty(len(names), dtype=np.int64)
    column[np.argsort(-all_votes[[index[p] for p in names]], kind="stable")] = np.arange(len(names))
    bit = column[mapped]
    width = 8 * ((len(names) + 63) // 64)  # bytes per row
    at = np.repeat(np.arange(len(cells)) * width, lengths)[keep] + (bit >> 3)
    packed = np.bincount(at, weights=128 >> (bit & 7), minlength=len(cells) * width)
    packed = packed.astype(np.uint8).reshape(len(cells), width)
    representative, inverse = _distinct_rows(packed)
    counts = np.bincount(inverse, weights=shared, minlength=len(representative)).astype(np.int64)
    # Each candidate's supporters, in increasing order: a row of bits per candidate over the distinct ballots.
    by_column = np.unpackbits(np.ascontiguousarray(packed[representative].T), axis=0, count=len(names))
    supporters = [np.flatnonzero(by_column[c]) for c in column.tolist()]
    return Prepared(names=names, costs=[election.costs[p] for p in names], weights=counts.tolist(),
                    supporters=supporters, voters=len(ballots), votes=votes)


def _distinct_rows(packed):
    """(a row of each distinct row, each row's distinct row) for rows of 64-bit words, the distinct rows
    numbered in the order of their bytes (a sort of the big-endian words, the first one first)."""
    words = packed.view(">u8").astype(np.uint64)
    if words.shape[1] == 1:
        _values, representative, inverse = np.unique(words.ravel(), return_index=True, return_inverse=True)
        return representative, inverse.ravel()
    by_row = np.lexsort(words.T[::-1])  # stable: equal rows in their order
    ordered = words[by_row]
    new = np.ones(len(by_row), dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = np.empty(len(by_row), dtype=np.int64)
    inverse[by_row] = np.cumsum(new) - 1
    return by_row[new], inverse


@dataclass
class Run:
    selected: list[tuple[int, Fraction | float]]  # (candidate, price per supporter), in order
    budgets: object  # per distinct ballot: the money left at the end (list of Fractions or numpy array)

    data: object = None  # the FastData whose index the budgets follow (fast runs)
    rounds: list | None = None  # fast runs: per selection, its rho and the exact 1 / rho (or None)
    bounds: list | None = None  # fast runs: per round, every project's rho lower bound once evaluated
    # Whether the run borrowed another's bounds: its decisions are plain runs', its floats may differ in
    # the last bit (other supporters left out of a sum), so an outcome shown to people is run again.
    borrowed: bool = False
    per_voter: Fraction | None = None  # fast runs: the budget per voter they ran at
    # Fast runs: the first rounds where every supporter of the selected project could pay the equal share
    # (`_run_fast`'s prefix): for each, the smallest money left by a payer in it or an earlier one; and the
    # budgets at the end of these rounds. A run lower down starts after them (see `_run_fast`).
    margins: list | None = None
    after_prefix: object = None

    def money_left(self, prep: Prepared, j: int) -> float:
        """What the supporters of candidate j have left in all."""
        if self.data is not None:
            return float((self.data.sup_weights[j] * self.budgets[self.data.supporters[j]]).sum())
        return float(sum(prep.weights[g] * float(self.budgets[g]) for g in prep.supporters[j]))


def _run_exact(prep: Prepared, per_voter: Fraction) -> Run:
    """One run of MES at `per_voter`, in exact arithmetic."""
    budget = [per_voter] * len(prep.weights)
    weights = prep.weights
    supporters = [group.tolist() for group in prep.supporters]
    remaining = list(range(len(prep.names)))  # already in id order
    selected: list[tuple[int, Fraction]] = []
    while True:
        best = best_rho = best_price = None
        still = []
        for j in remaining:
            cost = prep.costs[j]
            group = supporters[j]
            if sum(weights[g] * budget[g] for g in group) < cost:
                continue  # its supporters can no longer pay it, now or later
            still.append(j)
            items = sorted((budget[g], weights[g]) for g in group if budget[g] > 0)
            paid, rich = 0, sum(w for _, w in items)
            for money, weight in items:
                price = (cost - paid) / Fraction(rich)
                if price <= money:
                    break
                paid += weight * money
                rich -= weight
            rho = price / cost
            if best is None or rho < best_rho:
                best, best_rho, best_price = j, rho, price
        if best is None:
            break
        selected.append((best, best_price))
        still.remove(best)
        remaining = still
        for g in supporters[best]:
            budget[g] -= min(budget[g], best_price)
    return Run(selected=selected, budgets=budget)


class _Ambiguous(Exception):
    """Two values came too close for floats to decide: the run is redone in exact arithmetic."""


TOLERANCE = 1e-9  # relative; float errors here are below 1e-13
# A rho lower bound starts the search for a price this much (relative) below it, far above float errors;
# 0 turns the warm start off (tests compare both).
WARM = 1e-9


class FastData:
    """The numpy view of a Prepared election, built once and reused by every run."""

    def __init__(self, prep: Prepared):
        self.prep = prep
        weights = np.asarray(prep.weights, dtype=np.int64)
        supporters = [np.asarray(group, dtype=np.int64) for group in prep.supporters]
        self.counts = [int(weights[group].sum()) for group in supporters]
        # Few repeated ballots: one entry per voter (weights of 1 make each evaluation cheaper).
        self.unit = bool(len(weights)) and (len(weights) > 0.6 * int(weights.sum()) or bool((weights == 1).all()))
        if self.unit and not (weights == 1).all():
            offsets = np.concatenate(([0], np.cumsum(weights)[:-1]))
            expanded = []
            for group in supporters:
                repeat = weights[group]
                starts = np.repeat(offsets[group], repeat)
                ranks = np.arange(len(starts)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
                expanded.append(starts + ranks)
            supporters, weights = expanded, np.ones(int(weights.sum()), dtype=np.int64)
        self.groups = len(weights)
        self.supporters = supporters
        self.sup_weights = [weights[group].astype(np.float64) for group in supporters]
        self.costs = [float(c) for c in prep.costs]
        self.cost_fractions = [(Fraction(c).numerator, Fraction(c).denominator) for c in prep.costs]
        self.count_array = np.asarray(self.counts, dtype=np.int64)
        self.cost_array = np.asarray(self.costs, dtype=np.float64)
        self.inverse_counts = 1.0 / np.maximum(self.count_array, 1)
        self.compiled = None  # the compiled run's copy of the arrays (`_compiled_election`), made once
        self.unit_weights = bool((weights == 1).all())
        self.weights = weights


def _evaluate(data: FastData, budget, j: int, live: Live, bound: float = 0.0):
    """Project j at the current budgets: None when its supporters cannot pay it (now or later in the run),
    else (rho, price, weight, money): weight is the rich's weight when every supporter with money pays the
    same (then rho is exactly 1 / weight), else None; money is what j's live supporters have (for _pay).
    _Ambiguous when the sum of money is too close to the cost. BOUND, a lower bound of j's rho (its rho
    when last evaluated in this run, or the run above's), lets the search for the price start from there."""
    add = _sum
    count = _count
    cost = data.costs[j]
    group = live.supporters[j]
    money = budget.take(group)  # take: faster than fancy indexing
    unit = data.unit
    if unit:
        available = float(add(money))
    else:
        weights = live.weights[j]
        paying = weights * money
        available = float(add(paying))
    if available < cost * (1 - TOLERANCE):
        return None
    if available <= cost * (1 + TOLERANCE):
        raise _Ambiguous
    positive = money > 0
    rich_count = int(count(positive))
    if rich_count < 0.75 * len(money):
        # Supporters with nothing left change nothing for j until the end of the run: evaluate without them.
        live.supporters[j] = group[positive]
        money = money[positive]
        if not unit:
            live.weights[j] = weights = weights[positive]
            paying = paying[positive]
        positive = None
    rich_weight = float(rich_count if unit else (_dot(weights, positive) if positive is not None else add(weights)))
    price = cost / rich_weight
    first = True
    start = bound * cost * (1 - WARM)
    if start > price:
        # The price is at least `start` (rho only grows in a run, and a run above has lower rhos), and
        # above the equal share: some supporters with money are poor. The fixed point below is the same
        # from any price at most the true one (each step stays at most the true price), and the price
        # returned is computed from the poor found there: the same number as from the equal share, in
        # fewer steps (tests/test_counting_skip.py, "warm start").
        first = False
        poor = money < start
        rich_weight = total = float(len(money)) if unit else float(add(weights))
        rich_weight -= float(count(poor)) if unit else float(_einsum("i,i->", weights, poor))
        if rich_weight <= 0:  # pragma: no cover - the start is below the price, which someone pays in full
            raise _Ambiguous
        price = (cost - float(_einsum("i,i->", money if unit else paying, poor))) / rich_weight
    else:
        total = float(len(money)) if unit else float(add(weights))
    # Supporters with less than the price pay all they have, the others share the rest. The price only
    # grows as supporters turn out poor, so this ends. (Dot products with the boolean masks: faster than
    # multiplying then adding; float rounding differences are within TOLERANCE.)
    while True:
        poor = money < price
        weight = total - (float(count(poor)) if unit else float(_einsum("i,i->", weights, poor)))
        if weight == rich_weight:
            break
        first = False
        rich_weight = weight
        price = (cost - float(_einsum("i,i->", money if unit else paying, poor))) / weight
    # When everyone with money pays the same, rho is 1 / rich_weight (checked exactly if it ties).
    if first:
        return 1.0 / rich_weight, price, int(rich_weight), money
    return price / cost, price, None, money


def _dot(values, mask) -> float:
    """The sum of the values where the mask is true, without BLAS (whose threads cost more than they save
    on a few thousand numbers) and without a temporary array."""
    return _einsum("i,i->", values, mask)


class Live:
    """Per run: each project's supporters that may still have money (those found with none are dropped)."""

    def __init__(self, data: FastData):
        self.supporters = list(data.supporters)
        self.weights = list(data.sup_weights)


def _pay(budget, j: int, price: float, live: Live, money) -> None:
    """j's supporters pay the price, or all they have; `money` is what they have (from _evaluate, which
    looked at them just before: budgets have not changed since)."""
    left = money - price
    closest = float(np.minimum.reduce(np.absolute(left))) if len(left) else float("inf")
    if closest <= TOLERANCE * price:
        raise _Ambiguous
    budget[live.supporters[j]] = np.maximum(left, 0.0, out=left)
    return closest


def _round_one(data: FastData, per_voter: Fraction):
    """Budgets and rho lower bounds at the start of a run: all budgets equal, rho = 1 / supporters."""
    return (np.full(data.groups, float(per_voter)), *_round_one_bounds(data, per_voter))


def _round_one_bounds(data: FastData, per_voter: Fraction):
    """`_round_one`'s bounds alone: rho = 1 / supporters where they can pay, inf elsewhere."""
    p, q = per_voter.numerator, per_voter.denominator
    stale = np.full(len(data.costs), float("inf"))  # a lower bound of rho; inf once selected or out of reach
    weight = np.zeros(len(data.costs), dtype=np.int64)  # the exact 1 / rho behind stale, or 0
    # Whether each project's supporters can pay it: floats where they clearly can or cannot, exact
    # integers (supporters x per_voter >= cost) for the few within 1e-9 of the cost.
    money = data.count_array * float(per_voter)
    surely = money >= data.cost_array * (1 + 1e-9)
    close = np.flatnonzero(~surely & (money > data.cost_array * (1 - 1e-9))).tolist()
    for j in close:
        n, d = data.cost_fractions[j]
        surely[j] = data.counts[j] * p * d >= n * q
    stale[surely] = data.inverse_counts[surely]
    weight[surely] = data.count_array[surely]
    return stale, weight


def _run_fast(data: FastData, per_voter: Fraction, above: Run | None = None, keep: bool = True) -> Run:
    """One run of MES at `per_voter` with floats, exact on every decision, or _Ambiguous.

    Decisions are: which project has the lowest rho (ties by id), and whether a project's supporters
    can still pay it. Rho only grows during a run (budgets only shrink), so the rho a project had when
    last evaluated is a lower bound: each round evaluates projects by increasing lower bound and stops
    when the bound passes the best rho found (as pabutools does). When every supporter with money
    left can pay the equal share, rho is exactly 1 / (number of such supporters): ties between such
    projects are decided on these integers. Any other pair of rhos within TOLERANCE, a sum of money
    within TOLERANCE of a cost, or a budget within TOLERANCE of a price raises _Ambiguous.

    ABOVE, a fast run at a higher budget per voter, lends its lower bounds: as long as this run has
    selected the same projects as ABOVE, in the same order, every budget here is at most ABOVE's after the
    same rounds (a supporter keeps max(0, b - price), and prices fall as budgets grow), so every rho here
    is at least ABOVE's and every project out of reach there is out of reach here. Bounds decide only which
    projects are evaluated, never a decision; closer bounds spare evaluations.

    ABOVE also lends its prefix: its first rounds where every supporter of the selected project paid the
    equal share (rho exactly 1 / supporters), with m, the least any of these payers kept in these rounds.
    Lower by d < m (less a margin for floats), every budget is ABOVE's less d through these rounds (the
    same prices, paid by everyone who paid there), so every such payer still pays the same share, and
    every other project's rho is at least ABOVE's, as above: the same selections. The run starts after
    these rounds, from ABOVE's budgets less d, without evaluating anything in them (the first rounds
    select the most supported projects: the longest arrays of a run).
    """
    inf = float("inf")
    stale, _weight = _round_one_bounds(data, per_voter)
    selected: list[tuple[int, float]] = []
    rounds: list[tuple[float, int | None]] = []
    bounds_kept: list = []
    margins: list[float] = []  # this run's prefix (see Run.margins)
    after_prefix = None
    lent = above.bounds if above is not None and above.bounds is not None else []
    reused = 0
    if len(lent) and above.margins:
        below = float(above.per_voter - per_voter)
        slack = below + 1e-6 * (1.0 + float(above.per_voter))  # far above float errors (about 1e-13)
        while reused < len(above.margins) and above.margins[reused] > slack:
            reused += 1
    if COMPILED:
        return _run_compiled(data, per_voter, above, stale, reused, lent, keep)
    budget = np.full(data.groups, float(per_voter))
    if reused:
        if above.after_prefix is None:  # a compiled run above (tests switch COMPILED): a plain start
            reused = 0
        else:
            budget = above.after_prefix.copy()
            for j, price in above.selected[reused:len(above.margins)]:  # back to the end of round `reused`
                budget[data.supporters[j]] += price
            budget -= below
            selected = above.selected[:reused]
            rounds = above.rounds[:reused]
            bounds_kept = above.bounds[:reused]
            margins = [margin - below for margin in above.margins[:reused]]
            for j, _price in selected:
                stale[j] = inf
    live = Live(data)
    while True:
        if len(selected) < len(lent):
            np.maximum(stale, lent[len(selected)], out=stale)
        order = stale.argsort(kind="stable")  # ties: the smaller index, i.e. the smaller id
        bounds = stale.take(order).tolist()
        best_rho = None
        evaluated = []  # (rho, j, exact rho denominator or None, price)
        for j, bound in zip(order.tolist(), bounds, strict=True):
            if bound == inf or (best_rho is not None and bound > best_rho * (1 + TOLERANCE)):
                break
            found = _evaluate(data, budget, j, live, bound if WARM else 0.0)
            if found is None:
                stale[j] = inf
                continue  # its supporters can no longer pay it, now or later
            rho, price, weight, money = found
            stale[j] = rho
            evaluated.append((rho, j, weight, price, money))
            if best_rho is None or rho < best_rho:
                best_rho = rho
        bounds_kept.append(stale.copy())
        if not evaluated:
            break
        near = [item for item in evaluated if item[0] <= best_rho * (1 + TOLERANCE)]
        if len(near) > 1:
            for _rho, j, rich_weight, price, _money in near:
                # exact only if every supporter with money has clearly more than the price
                money = budget[data.supporters[j]]
                if rich_weight is None or float(np.where(money > 0, money, inf).min()) <= price * (1 + TOLERANCE):
                    raise _Ambiguous
            near.sort(key=lambda item: (-item[2], item[1]))
        rho, best, weight, price, money = near[0] if len(near) > 1 else min(evaluated, key=_first_two)
        selected.append((best, price))
        rounds.append((rho, weight))
        stale[best] = inf
        if len(lent) and (len(selected) > len(above.selected) or best != above.selected[len(selected) - 1][0]):
            lent = []  # another order than ABOVE's from here: its bounds no longer hold
        prefix = after_prefix is None and weight is not None and weight == data.counts[best]
        if after_prefix is None and not prefix:
            after_prefix = budget.copy()
        closest = _pay(budget, best, price, live, money)
        if prefix:
            margins.append(min(closest, margins[-1]) if margins else closest)
    if after_prefix is None:
        after_prefix = budget.copy()
    return Run(selected=selected, budgets=budget, data=data, rounds=rounds, bounds=bounds_kept,
               borrowed=bool(above is not None and above.bounds is not None and len(above.bounds)),
               per_voter=per_voter, margins=margins, after_prefix=after_prefix)


def _run_compiled(data: FastData, per_voter: Fraction, above: Run | None, stale, reused: int, lent,
                  keep: bool) -> Run:
    """`_run_fast` compiled (_mes.c): the same decisions, or _Ambiguous. REUSED: how many prefix rounds of
    ABOVE it starts after (`_run_fast` found them). Its budgets are kept only when KEEP: a completion's runs
    need none, and a run's budgets (one number per voter) allocated and filled hundreds of times cost more
    than the rest of a Warsaw-sized run."""
    n = len(data.costs)
    selected, rounds, bounds_kept, margins = [], [], _NO_BOUNDS.reshape(0, n), []
    if reused:
        below = float(above.per_voter - per_voter)
        selected, rounds = above.selected[:reused], above.rounds[:reused]
        bounds_kept = np.asarray(above.bounds[:reused], dtype=np.float64).reshape(-1, n)
        margins = [margin - below for margin in above.margins[:reused]]
    order = np.array([j for j, _price in above.selected], dtype=np.int64) if len(lent) else _NO_ORDER
    budgets = np.empty(data.groups) if keep else None
    found = _mes.run(_compiled_election(data), float(per_voter), stale, TOLERANCE, WARM,
                     np.array([j for j, _price in selected], dtype=np.int64),
                     np.array([price for _j, price in selected], dtype=np.float64),
                     np.ascontiguousarray(lent, dtype=np.float64) if len(lent) else _NO_BOUNDS, order,
                     margins[-1] if margins else float("inf"), budgets)
    if found is None:
        raise _Ambiguous
    more, reached, bounds, more_margins = found
    bounds = np.frombuffer(bounds, dtype=np.float64).reshape(-1, n)
    return Run(selected=selected + more, budgets=budgets, data=data, rounds=rounds + reached,
               bounds=np.concatenate((bounds_kept, bounds)) if len(bounds_kept) else bounds,
               borrowed=len(lent) > 0, per_voter=per_voter, margins=margins + more_margins)


def _compiled_election(data: FastData):
    """The compiled runs' copy of the election's arrays (with two runs' working space), made once."""
    if data.compiled is None:
        offsets = np.zeros(len(data.costs) + 1, dtype=np.int64)
        np.cumsum([len(group) for group in data.supporters], out=offsets[1:])
        data.compiled = _mes.election(data.cost_array, data.count_array, offsets,
                                      np.concatenate(data.supporters).astype(np.int32),
                                      None if data.unit_weights else data.weights.astype(np.float64))
    return data.compiled


_NO_ORDER = np.zeros(0, dtype=np.int64)
_NO_BOUNDS = np.zeros(0, dtype=np.float64)


def _first_two(item):
    return item[0], item[1]


def _same_outcome_until(data: FastData, selected: list, rounds: list, per_voter: Fraction) -> list | None:
    """Whether every budget per voter from the one where `selected` came out with `rounds` (its rhos)
    up to `per_voter` gives the same selection, in the same order: the rounds at `per_voter` if so
    (to check further from there), None when it does not or when floats cannot tell.

    Monotony makes one run enough. Force the selection S of `result` (s_1, s_2...) at any t: every
    budget after round k is non-decreasing in t (a supporter keeps max(0, b - p), b grows and the price
    p falls when budgets grow), so every price and rho at round k is non-increasing in t, and every sum
    of money non-decreasing. S is the outcome at t' in [t, T] when, at each round k, every other project
    still in the run is out of reach or has a rho above s_k's (ties: the smaller id first), and at the
    end every project left is out of reach. With rho_j(t') >= rho_j(T) and rho_sk(t') <= rho_sk(t) (its
    value in `result`), and money(t') <= money(T), it suffices to check at T, against the rhos of
    `result`: rho_j(T) above rho_sk(t) at each round, and at the end every project left out of reach at T.
    Rho lower bounds carried from earlier rounds (rho only grows during a run) spare most evaluations.
    """
    inf = float("inf")
    budget, stale, weight = _round_one(data, per_voter)
    live = Live(data)
    reached = []
    try:
        for (s, _), (rho, exact) in zip(selected, rounds, strict=True):
            stale[s] = inf
            for j in stale.argsort(kind="stable").tolist():
                bound = stale[j]
                if bound == inf or bound > rho * (1 + TOLERANCE):
                    break  # the others' bounds are higher still
                if _above(bound, weight[j], j, rho, exact, s):
                    continue  # its lower bound already ranks it after s
                found = _evaluate(data, budget, j, live)
                if found is None:
                    stale[j] = inf  # out of reach at T, so at every t' <= T
                    continue
                stale[j], _price, weight[j] = found[0], found[1], found[2] or 0
                if not _above(stale[j], weight[j], j, rho, exact, s):
                    return None
            found = _evaluate(data, budget, s, live)
            if found is None:
                return None  # pragma: no cover - money only grows with t
            reached.append((found[0], found[2]))
            _pay(budget, s, found[1], live, found[3])
        if any(_evaluate(data, budget, j, live) is not None for j in np.flatnonzero(np.isfinite(stale)).tolist()):
            return None
    except _Ambiguous:
        return None
    return reached


def _above(rho: float, weight: int, j: int, best_rho: float, best_weight: int | None, best: int) -> bool:
    """Whether project j (rho, exactly 1 / weight when weight) certainly ranks after the selected one."""
    if weight and best_weight:
        return weight < best_weight or (weight == best_weight and j > best)
    return rho > best_rho * (1 + TOLERANCE)


EXACT_ONLY = False  # tests set it to check the exact path alone
SKIP = True  # tests turn it off to compare with the completion that steps one unit at a time


def run(prep: Prepared, per_voter: Fraction, data: FastData | None = None, above: Run | None = None,
        keep: bool = True) -> Run:
    """One run at PER_VOTER; KEEP False: compiled runs may keep no budgets (`Run.budgets` None)."""
    if data is None:
        return _run_exact(prep, per_voter)
    try:
        return _run_fast(data, per_voter, above, keep)
    except _Ambiguous:
        return _run_exact(prep, per_voter)


def equal_shares(election: Election, *, completion: bool, progress=None) -> Outcome:
    prep = prepare(election)
    budget = Fraction(election.budget)
    per_voter = budget / prep.voters if prep.voters else Fraction(0)
    result = Run(selected=[], budgets=[per_voter] * len(prep.weights))
    if prep.voters and prep.names:
        data = None if EXACT_ONLY else FastData(prep)
        if completion:
            result, per_voter = _complete(prep, data, budget, per_voter, progress)
        else:
            result = run(prep, per_voter, data)
        if result.budgets is None:  # the completion's runs keep no budgets: the outcome's run again, keeping them
            result = run(prep, per_voter, data)
    return _outcome(election, prep, result, per_voter, completion)


def _complete(prep: Prepared, data: FastData | None, budget: Fraction, start: Fraction, progress):
    """The "add1" completion: the first of start, start + 1, start + 2... whose outcome is exhaustive
    (kept) or costs more than the budget (the one before is kept), as pabutools' `voter_budget_increment=1`.

    Skipping: whether an outcome is exhaustive or over the budget depends on its projects alone. When
    the outcome at t is neither, and `_same_outcome_until` shows that the outcome is the same up to
    t + d, no increment up to t + d can stop the completion: the next one worth running is t + d + 1.
    The stopping increment found is thus the one stepping finds, and so is the outcome kept (when the
    stopping one is over the budget, the one before is run again if it was skipped, so that prices and
    money left are stepping's too). Checks chain (each from the rhos the previous one reached), their
    stride doubles after a success and halves after a failure; where the outcome changes at almost every
    increment, checks pause for a growing number of increments, so that they cost little. The increments
    of a pause are run from the highest down (`_downwards`), each run borrowing the rho lower bounds of
    the one above it: the same decisions as plain runs with fewer evaluations; a kept outcome that came
    from such a run is run again plainly, so that its prices and money left are stepping's to the bit.
    The highest increment of a pause is run first: when its outcome costs more than the budget, the
    completion stops below it, so the increments up to it are stepped upwards instead (none above the stop
    is run; on the warsaw bench this spares 13 of 288 runs).
    """
    costs = prep.costs
    n = len(prep.names)
    step, result = 0, run(prep, start, data, keep=False)
    stride, pause, rest = 2, 0, 2
    ahead: dict[Fraction, Run] = {}  # increments already run, downwards (`_downwards`)
    over = float("inf")  # an increment whose outcome is known to cost more than the budget: the stop is below
    while True:
        spent = sum(costs[j] for j, _ in result.selected)
        if progress is not None:
            progress(min(1.0, float(spent / budget)) if budget else 1.0)
        chosen = {j for j, _ in result.selected}
        if all(j in chosen or spent + costs[j] > budget for j in range(n)):
            if result.borrowed:  # the outcome shown: plain run's floats to the last bit
                result = run(prep, start + step, data)
            return result, start + step  # exhaustive: nothing more would fit
        covered, rounds = 0, result.rounds
        if SKIP and data is not None and rounds is not None and pause == 0 and start + step + 1 not in ahead:
            failed = False
            while stride >= 2:
                reached = _same_outcome_until(data, result.selected, rounds, start + step + covered + stride)
                if reached is None:
                    stride, failed = stride // 2, True
                else:  # after a failure, the stride grows more slowly: doubling would likely fail again
                    covered, rounds = covered + stride, reached
                    stride = stride + (stride // 2 if failed else stride)
            stride = max(2, stride)
            if covered:
                rest = 2
            else:
                pause, rest = rest, min(2 * rest, 64)
        pause = max(0, pause - 1)
        following = start + step + covered + 1
        attempt = ahead.pop(following, None)
        if attempt is None:
            size = min(pause + 1, BLOCK)
            if SKIP and data is not None and not covered and size > 1 and following + size - 1 < over:
                # No check before `pause` more increments: run them now, from the highest down, unless the
                # highest costs more than the budget: then the completion stops below it, and stepping up
                # to the stop runs no increment above it.
                highest = run(prep, following + size - 1, data, keep=False)
                if sum(costs[j] for j, _ in highest.selected) > budget:
                    over = following + size - 1
                    ahead = {over: highest}
                    attempt = run(prep, following, data, keep=False)
                else:
                    ahead = _downwards(prep, data, following, size, highest)
                    attempt = ahead.pop(following)
            else:
                attempt = run(prep, following, data, keep=False)
        if sum(costs[j] for j, _ in attempt.selected) > budget:
            if covered or result.borrowed:  # the increment before the stopping one, as a plain run
                result = run(prep, start + step + covered, data)
            return result, start + step + covered
        result, step = attempt, step + covered + 1


BLOCK = 16  # at most this many increments run downwards at once


def _downwards(prep: Prepared, data: FastData, first: Fraction, size: int,
               highest: Run | None = None, parallel: bool = True) -> dict[Fraction, Run]:
    """The runs at first, first + 1... first + size - 1, each exactly `run`'s: from the highest down, so that
    each run borrows the lower bounds of the run one unit above it (`_run_fast`'s ABOVE). HIGHEST, when
    given, is the run at first + size - 1, already made.

    Compiled runs leave Python while they work: the lower half of the increments is run downwards in a
    second thread while this one runs the upper half (its highest run borrows nothing), so that a machine
    with two cores completes in about half the time."""
    runs: dict[Fraction, Run] = {}
    above = None
    if highest is not None:
        size -= 1
        runs[first + size] = highest
        above = highest if highest.bounds is not None else None
    lower, failed = None, []
    if COMPILED and PARALLEL and parallel and size >= 4:
        half = (size + 1) // 2  # the larger half: this thread has run the block's highest increment already
        _compiled_election(data)  # made once, before two threads need it

        def run_lower():
            try:
                runs.update(_downwards(prep, data, first, half, parallel=False))
            except BaseException as exc:  # pragma: no cover - raised again below, in the caller's thread
                failed.append(exc)

        lower = threading.Thread(target=run_lower, name="equal-shares-lower-half")
        lower.start()
        first, size = first + half, size - half
    try:
        for k in reversed(range(size)):
            result = run(prep, first + k, data, above, keep=False)
            runs[first + k] = result
            above = result if result.bounds is not None else None
    finally:
        if lower is not None:
            lower.join()
    if failed:
        raise failed[0]
    return runs


PARALLEL = True  # tests turn it off to compare


def _outcome(election: Election, prep: Prepared, result: Run, per_voter: Fraction, completion: bool) -> Outcome:
    index = {p: j for j, p in enumerate(prep.names)}
    order = {prep.names[j]: (rank, price) for rank, (j, price) in enumerate(result.selected, start=1)}
    projects = {}
    for project, cost in election.costs.items():
        votes = prep.votes[project]
        if project in order:
            rank, price = order[project]
            projects[project] = ProjectResult(
                project=project, cost=cost, votes=votes, selected=True, order=rank, reason="selected",
                price_per_supporter=float(price))
        else:
            j = index.get(project)
            projects[project] = ProjectResult(
                project=project, cost=cost, votes=votes, selected=False,
                reason="no_votes" if not votes else "supporters_short",
                supporters_money_left=result.money_left(prep, j) if j is not None else 0.0)
    selected = [prep.names[j] for j, _ in result.selected]
    return Outcome(rule="mes" if completion else "mes-fixed", selected=selected, projects=projects,
                   budget=election.budget, spent=sum(election.costs[p] for p in selected),
                   voter_budget=float(per_voter))
