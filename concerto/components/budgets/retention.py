"""How long budgets keep who voted (the manifest's `retention`).

A ballot's `voter_key` (the salted hash of the voter's census identity, or `user:<id>`) and its link to the
account exist to allow one ballot per person while the vote is open, and to answer an appeal against the
results. Once the results have been published for the period (two months for an appeal, and a margin),
they go: the key becomes `erased:<ballot id>` (still unique per budget) and the account link is cleared;
the paper sheets' keyed identity hash goes too.

The counts stay reproducible: a count reads only the ballots' choices, in the order of the ballots' ids
(`results.election_for`), and the published `results.pb` numbers the voters 1, 2, 3... in that order; the
purge changes neither the choices nor the ids, so a recount and the file are the same before and after.
Imported ballots (`import:<n>`, from a pabulib file) name nobody and are left as they are.
"""

from concerto.components.budgets.models import Ballot, PaperEntry, Result
from concerto.components.budgets.results import IMPORT_PREFIX
from concerto.core.accounts.privacy import batched_erase_keys, batched_purge


def ballot_voter_keys_purge(cutoff, *, dry_run) -> int:
    """Erase the voter keys and account links of the ballots (and paper sheets) of budgets whose results
    were published before CUTOFF and are still published; returns how many rows (or would)."""
    budgets = Result.objects.filter(published_at__lt=cutoff).values("budget_id")
    ballots = (Ballot.objects.filter(budget__in=budgets)
               .exclude(voter_key__startswith="erased:").exclude(voter_key__startswith=IMPORT_PREFIX))
    sheets = PaperEntry.objects.filter(budget__in=budgets).exclude(voter_key="")
    return (batched_erase_keys(ballots, "voter_key", dry_run=dry_run, update={"voter": None})
            + batched_purge(sheets, dry_run=dry_run, update={"voter_key": ""}))
