"""The counting engine of participatory budgets: pure Python (and numpy), no Django.

Contract used by the rest of the component:
- `read_pabulib(text) -> Election`, `write_pabulib(election) -> str` (pabulib.py);
- `count(election, rule) -> Outcome` with rule "greedy", "mes" (Method of Equal Shares with cost
  utilities completed by "add1" budget increments) or "mes-fixed" (rules.py);
- `CountingError(message)` for anything malformed or a ballot kind a rule cannot count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


class CountingError(ValueError):
    """A malformed file or an election a rule cannot count; the message is for people."""


@dataclass
class Election:
    budget: int | Fraction  # the amount to share
    costs: dict[str, int | Fraction]  # project id -> cost (a Fraction only when the file has decimals)
    ballots: list[dict[str, int | Fraction]]  # one per voter: project id -> points (1 for approval and knapsack)
    kind: str = "approval"  # the pabulib vote_type: approval, cumulative, ordinal, scoring
    meta: dict[str, str] = field(default_factory=dict)  # pabulib META, verbatim
    project_meta: dict[str, dict[str, str]] = field(default_factory=dict)  # pabulib PROJECTS rows
    voter_meta: list[dict[str, str]] = field(default_factory=list)  # pabulib VOTES rows (vote column aside)


@dataclass
class ProjectResult:
    project: str
    cost: int | Fraction
    votes: int | float  # supporters (approval) or points (cumulative)
    selected: bool
    order: int | None = None  # 1 for the first selected
    # Why it won or lost, a code that pages turn into a sentence: "selected", "does_not_fit" (greedy: the
    # money left was less than its cost), "supporters_short" (equal shares: its supporters' money left
    # could not pay for it), "no_votes".
    reason: str = ""
    # Equal shares: what each supporter paid at most when it was selected, and what its supporters still
    # had in all when the count ended (euros, rounded to cents in JSON).
    price_per_supporter: float | None = None
    supporters_money_left: float | None = None


@dataclass
class Outcome:
    rule: str
    selected: list[str]  # in the order the rule selected them
    projects: dict[str, ProjectResult]
    budget: int | Fraction
    spent: int | Fraction
    # Equal shares with completion: the budget per voter the final outcome was computed with.
    voter_budget: float | None = None

    def to_json(self) -> dict:
        """A JSON-safe dict (amounts: int when whole, else the exact fraction as a string "a/b")."""
        return {
            "rule": self.rule,
            "selected": list(self.selected),
            "budget": _number_to_json(self.budget),
            "spent": _number_to_json(self.spent),
            "voter_budget": self.voter_budget,
            "projects": [
                {
                    "project": result.project,
                    "cost": _number_to_json(result.cost),
                    "votes": _number_to_json(result.votes),
                    "selected": result.selected,
                    "order": result.order,
                    "reason": result.reason,
                    "price_per_supporter": _cents(result.price_per_supporter),
                    "supporters_money_left": _cents(result.supporters_money_left),
                }
                for result in self.projects.values()
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> Outcome:
        projects = {}
        for item in data.get("projects", []):
            projects[item["project"]] = ProjectResult(
                project=item["project"],
                cost=_number_from_json(item["cost"]),
                votes=_number_from_json(item["votes"]),
                selected=bool(item["selected"]),
                order=item.get("order"),
                reason=item.get("reason", ""),
                price_per_supporter=item.get("price_per_supporter"),
                supporters_money_left=item.get("supporters_money_left"),
            )
        return cls(
            rule=data["rule"],
            selected=list(data["selected"]),
            projects=projects,
            budget=_number_from_json(data["budget"]),
            spent=_number_from_json(data["spent"]),
            voter_budget=data.get("voter_budget"),
        )


def _number_to_json(value):
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _number_from_json(value):
    if isinstance(value, str):
        value = Fraction(value)
        return value.numerator if value.denominator == 1 else value
    return value


def _cents(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def count(election: Election, rule: str, progress=None) -> Outcome:
    from concerto.components.budgets.counting.rules import count as _count

    return _count(election, rule, progress)


def read_pabulib(text: str, *, voters: bool = True) -> Election:
    """`voters=False`: for counting alone (no voter_meta; ballots may share their dicts: never change them)."""
    from concerto.components.budgets.counting.pabulib import read

    return read(text, voters=voters)


def write_pabulib(election: Election) -> str:
    from concerto.components.budgets.counting.pabulib import write

    return write(election)
