"""Paper ballots: two agents key each sheet; matching entries cast the ballot (channel paper), differing ones
wait for a supervisor's third entry. A sheet names the person by their identity hash, salted like their
online verification, so that one person's paper and online ballots collide (see ballots.py)."""

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.components.budgets.ballots import BallotError, age_on, ballot_cast, normalise_choices
from concerto.components.budgets.models import Ballot, Budget, PaperEntry
from concerto.core.accounts import verification as verifications
from concerto.core.audit.services import audit_record
from concerto.core.participation.models import Channel


class PaperError(Exception):
    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


REFUSED = (PaperEntry.Status.ALREADY_VOTED, PaperEntry.Status.REJECTED)
DONE = (PaperEntry.Status.MATCHED, *REFUSED)


def paper_voter_key(*, budget: Budget, last_name: str, first_name: str, birth_date, commune=None) -> str:
    """The person's identity hash, salted like their online verification: by their commune (COMMUNE when the
    budget's area is a territory, the area itself otherwise)."""
    return verifications.identity_hash(organisation=commune or budget.voters_area, last_name=last_name,
                                       first_name=first_name, birth_date=birth_date)


def paper_communes(budget: Budget):
    """The communes a paper voter of BUDGET may live in, when its area is wider than one commune (else none)."""
    from concerto.core.territory.models import Organisation

    area = budget.voters_area
    if area.is_commune:
        return Organisation.objects.none()
    return Organisation.objects.communes().filter(pk__in=area.descendant_ids()).order_by("search_name", "name")


def paper_refusal(budget: Budget) -> str | None:
    """Why paper sheets of BUDGET cannot be keyed (None when they can). A sheet is matched to online ballots by
    the person's identity hash: when unverified residents may vote online, their ballots carry no such hash, and
    nothing would stop one person from voting online and on paper."""
    if not budget.component.setting("vote_requires_verification"):
        return _("Paper ballots can be keyed only when online voting is open to verified residents alone: "
                 "otherwise nothing tells that the person on the sheet has not also voted online. Turn on "
                 "“Only verified residents can vote” in the component's settings first.")
    return None


def _station(value: str) -> str:
    return " ".join((value or "").split()).casefold()


def _same_sheet(a: PaperEntry, b: PaperEntry) -> bool:
    return (_station(a.polling_station) == _station(b.polling_station) and a.voter_key == b.voter_key
            and a.choices == b.choices)


def _commune_of(budget: Budget):
    area = budget.voters_area
    return area if area.is_commune else None


def _cast_sheet(entry: PaperEntry, budget: Budget) -> tuple[str, Ballot | None, str]:
    """Cast the ballot ENTRY describes: (status, ballot, note)."""
    try:
        with transaction.atomic():
            ballot = ballot_cast(voter=None, budget=budget, choices=entry.choices, channel=Channel.PAPER,
                                 voter_key=entry.voter_key, commune=entry.commune or _commune_of(budget))
    except BallotError as error:
        status = PaperEntry.Status.ALREADY_VOTED if error.code == "already_voted" else PaperEntry.Status.REJECTED
        return status, None, error.message[:300]
    return PaperEntry.Status.MATCHED, ballot, ""


@transaction.atomic
def paper_entry_add(*, agent, budget: Budget, polling_station: str, sheet_number: str, last_name: str,
                    first_name: str, birth_date, choices, decide: bool = False, commune=None) -> PaperEntry:
    """AGENT keys one paper sheet of BUDGET. The first entry waits; the second, by another agent, either agrees
    (the ballot is cast, or refused when the person already voted) or not (the sheet goes to the "to check"
    list). With DECIDE, a supervisor's third entry settles a sheet whose two entries differ.

    Raises PaperError (with the field at fault) for what the agent must correct."""
    refusal = paper_refusal(budget)
    if refusal is not None:
        raise PaperError(refusal)
    polling_station = " ".join((polling_station or "").split())
    sheet_number = " ".join((sheet_number or "").split())
    if not polling_station:
        raise PaperError(_("Enter the polling station."), field="polling_station")
    if not sheet_number:
        raise PaperError(_("Enter the sheet number."), field="sheet_number")
    if not (last_name or "").strip() or not (first_name or "").strip():
        raise PaperError(_("Enter the voter's last name and first name."), field="last_name")
    if birth_date is None:
        raise PaperError(_("Enter the voter's date of birth."), field="birth_date")
    communes = paper_communes(budget)
    if communes.exists():
        if commune is None or not communes.filter(pk=commune.pk).exists():
            raise PaperError(_("Choose the commune where the voter lives."), field="commune")
    else:
        commune = None
    minimum_age = budget.component.setting("minimum_age")
    if minimum_age and age_on(birth_date, timezone.localdate()) < minimum_age:
        raise PaperError(_("This person is under %(age)s: their ballot cannot be counted.") % {"age": minimum_age},
                         field="birth_date")
    try:
        chosen = normalise_choices(choices)
    except BallotError as error:
        raise PaperError(error.message, field="choices") from None
    # Sheets are keyed by a handful of agents: the budget's row serialises them, so two agents keying the
    # same sheet at the same moment still see each other's entry. Web ballots never take this lock.
    Budget.objects.select_for_update().filter(pk=budget.pk).first()
    entries = list(PaperEntry.objects.filter(budget=budget, sheet_number=sheet_number).order_by("pk"))
    if any(entry.entered_by_id == agent.pk for entry in entries):
        raise PaperError(_("You already keyed this sheet: a different agent must key it the second time."),
                         field="sheet_number")
    if any(entry.status in DONE for entry in entries):
        raise PaperError(_("This sheet is already settled."), field="sheet_number")
    mismatched = [entry for entry in entries if entry.status == PaperEntry.Status.MISMATCH]
    if mismatched and not decide:
        raise PaperError(_("The two entries of this sheet differ: a supervisor settles it from the “to check” "
                           "list."), field="sheet_number")
    if decide and not mismatched:
        raise PaperError(_("This sheet has no differing entries to settle."), field="sheet_number")
    entry = PaperEntry(
        budget=budget, polling_station=polling_station, sheet_number=sheet_number, entered_by=agent,
        voter_key=paper_voter_key(budget=budget, last_name=last_name, first_name=first_name, birth_date=birth_date,
                                  commune=commune),
        commune=commune,
        choices={str(project_id): points for project_id, points in sorted(chosen.items())},
    )
    action = "budgets.paper_entered"
    if decide:
        status, ballot, note = _cast_sheet(entry, budget)
        entry.status, entry.ballot, entry.note = status, ballot, note
        entry.save()
        decided = _("Settled by a supervisor's third entry.")
        PaperEntry.objects.filter(pk__in=[e.pk for e in mismatched]).update(status=status, note=decided)
        action = "budgets.paper_decided"
    elif entries:
        first = entries[0]
        if _same_sheet(first, entry):
            status, ballot, note = _cast_sheet(entry, budget)
            entry.status, entry.ballot, entry.note = status, ballot, note
            entry.save()
            PaperEntry.objects.filter(pk=first.pk).update(status=status, ballot=ballot, note=note)
        else:
            entry.status = PaperEntry.Status.MISMATCH
            entry.save()
            PaperEntry.objects.filter(pk=first.pk).update(status=PaperEntry.Status.MISMATCH)
    else:
        entry.save()
    audit_record(actor=agent, action=action, target=entry, organisation=budget.organisation,
                 data={"sheet": sheet_number, "status": entry.status})
    return entry


def paper_counts(*, budget: Budget) -> dict[str, int]:
    """Sheets (not entries) by state: waiting, matched, mismatch, refused."""
    rows = (PaperEntry.objects.filter(budget=budget).values("sheet_number", "status")
            .annotate(n=Count("pk")))
    state_of: dict[str, str] = {}
    for row in rows:
        state_of[row["sheet_number"]] = row["status"]
    counts = {"waiting": 0, "matched": 0, "mismatch": 0, "refused": 0}
    for status in state_of.values():
        if status in REFUSED:
            counts["refused"] += 1
        elif status in counts:
            counts[status] += 1
    return counts


def paper_mismatches(*, budget: Budget) -> list[dict]:
    """The sheets whose two entries differ, each with its entries."""
    entries = (PaperEntry.objects.filter(budget=budget, status=PaperEntry.Status.MISMATCH)
               .select_related("entered_by").order_by("sheet_number", "pk"))
    sheets: dict[str, list[PaperEntry]] = {}
    for entry in entries:
        sheets.setdefault(entry.sheet_number, []).append(entry)
    return [{"sheet_number": number, "entries": rows} for number, rows in sheets.items()]
