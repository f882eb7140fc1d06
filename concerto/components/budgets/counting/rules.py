"""The counting rules: greedy by votes, and the Method of Equal Shares (MES) with cost utilities.

Each rule gives exactly the outcome of pabutools 1.2 with its default (lexicographic) tie-breaking:

- "greedy" is `greedy_utilitarian_welfare(..., sat_class=Cost_Sat)`: projects are taken by decreasing
  number of votes (approval ballots) or of points (cumulative ballots; in pabutools a satisfaction of
  points x cost), a project whose cost is over the money left is skipped, and the next one is tried.
  A project that costs nothing counts as having no votes. Ties: the smaller project id, compared as
  strings ("10" < "9"). Like pabutools, a project nobody voted for is funded if money is left.
- "mes-fixed" is `method_of_equal_shares(..., sat_class=Cost_Sat)`: every voter gets budget / voters;
  at each round, the project that its supporters can pay with the lowest price per unit of cost
  (rho = price per supporter / cost; supporters with less money than the price pay all they have) is
  funded, its supporters pay; projects their supporters can no longer pay are dropped; the count ends
  when no project is left. Projects without supporters, or that cost nothing, are never funded. Ties
  (equal rho, computed exactly): the smaller project id, compared as strings.
- "mes" is the same with `voter_budget_increment=1` ("add1" completion): the count is run again with
  1 more per voter each time (i.e. the total raised by the number of voters) until the outcome either
  costs more than the real budget (the previous outcome is kept) or leaves no project that would still
  fit in the real budget (this outcome is kept). No greedy filling afterwards. The increments where
  the outcome cannot change are skipped, with the same result (fastmes.py, `_complete`).

All the decisions are exact (integers and Fractions). The fast path (fastmes.py) computes with floats
and falls back on exact arithmetic whenever two values come close enough for rounding to matter.
"""

from __future__ import annotations

from fractions import Fraction

from concerto.components.budgets.counting import CountingError, Election, Outcome, ProjectResult
from concerto.components.budgets.counting.messages import _

RULES = ("greedy", "mes", "mes-fixed")


def check(election: Election, rule: str) -> None:
    """Raise CountingError when the rule cannot count this election."""
    if rule not in RULES:
        raise CountingError(_("Unknown counting rule “%(rule)s” (greedy, mes or mes-fixed expected).")
                            % {"rule": rule})
    if election.kind in ("ordinal", "scoring"):
        raise CountingError(
            _("Ballots of type “%(kind)s” cannot be counted: the platform counts approval and cumulative ballots.")
            % {"kind": election.kind})
    if election.kind == "cumulative" and rule != "greedy":
        raise CountingError(
            _("The Method of Equal Shares counts approval ballots only; cumulative ballots are counted "
              "with the greedy rule."))
    if election.kind != "approval" and election.kind != "cumulative":
        raise CountingError(_("Unknown ballot kind “%(kind)s”.") % {"kind": election.kind})


def count(election: Election, rule: str, progress=None) -> Outcome:
    """`progress(fraction)`, if given, is called as the completion goes (the share of the budget spent)."""
    check(election, rule)
    if rule == "greedy":
        return greedy(election)
    from concerto.components.budgets.counting.fastmes import equal_shares

    return equal_shares(election, completion=(rule == "mes"), progress=progress)


def votes_of(election: Election) -> dict[str, int | Fraction]:
    """Supporters (approval: presence in the ballot) or points (cumulative) per project."""
    votes: dict[str, int | Fraction] = dict.fromkeys(election.costs, 0)
    cumulative = election.kind == "cumulative"
    for number, ballot in enumerate(election.ballots, start=1):
        for project, points in ballot.items():
            if project not in votes:
                raise CountingError(_("Ballot %(index)d names the unknown project “%(project)s”.")
                                    % {"index": number, "project": project})
            if cumulative:
                if points < 0:
                    raise CountingError(_("Ballot %(index)d gives negative points.") % {"index": number})
                votes[project] += points
            else:
                votes[project] += 1
    return votes


def _as_int(value):
    return int(value) if Fraction(value).denominator == 1 else float(value)


def greedy(election: Election) -> Outcome:
    votes = votes_of(election)
    costs = election.costs
    order = sorted(costs, key=lambda p: (-(votes[p] if costs[p] > 0 else 0), p))
    left = Fraction(election.budget)
    selected: list[str] = []
    projects = {}
    for project in order:
        cost = costs[project]
        fits = cost <= left
        if fits:
            selected.append(project)
            left -= cost
        reason = "selected" if fits else ("no_votes" if not votes[project] else "does_not_fit")
        projects[project] = ProjectResult(
            project=project, cost=cost, votes=_as_int(votes[project]), selected=fits,
            order=len(selected) if fits else None, reason=reason)
    return Outcome(rule="greedy", selected=selected, projects={p: projects[p] for p in costs},
                   budget=election.budget, spent=sum(costs[p] for p in selected))
