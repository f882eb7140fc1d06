"""What a process template keeps of a space's concertation plan and print kits, and what a new space gets from it.

A template is shared across communes: it keeps the plan's texts and choices (the question, what is open to change,
the publics, the channels, the feedback promised), its dates as days from the start of the process, and the print
kits as dates of the calendar (« posters ») with their titles. It never keeps the actors of the directory or the
people of the stakeholder map (they are the commune's own), the quartiers (another commune has others) nor the kits'
short links (a new space gets its own once it is published)."""

from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.core.mobilisation.models import (
    AGE_BANDS,
    ActorKind,
    Channel,
    KitFormat,
    KitTarget,
    Plan,
    PlanMilestone,
    PrintKit,
)

# The plan's fields a template keeps as they are (texts and choices that do not name anyone).
KEPT = ("question", "open_to_change", "not_open", "decision", "decision_maker", "age_bands", "actor_kinds",
        "priority_areas", "publics_note", "channels", "feedback")
# Its dates, kept as days from the start of the process.
DATES = ("decision_date", "feedback_date")


def plan_skeleton(space, start: date | None, days: int = 0) -> dict:
    """SPACE's plan and print kits as a template keeps them ({} when it has neither); START: the day the process
    starts, from which dates are counted (the first step's, as the template's steps are); DAYS: how long it lasts."""
    plan = Plan.objects.filter(space=space).first()
    kits = list(PrintKit.objects.filter(organisation=space.organisation, target_kind=KitTarget.SPACE,
                                        link__target=space.get_absolute_url()).order_by("created_at", "pk"))
    if plan is None and not kits:
        return {}
    skeleton: dict = {"fields": {}, "dates": {}, "milestones": [], "kits": []}
    if start is None:
        start = space.start_date or (plan.created_at.date() if plan else kits[0].created_at.date())
    if plan is not None:
        skeleton["fields"] = {name: getattr(plan, name) for name in KEPT}
        skeleton["dates"] = {name: (getattr(plan, name) - start).days for name in DATES if getattr(plan, name)}
        skeleton["milestones"] = [{"offset_days": (row.date - start).days, "kind": row.kind, "title": row.title,
                                   "public": row.public} for row in plan.milestones.order_by("date", "pk")]
    # A kit is planned on the day it was made, counted from the start; one made after the process ended (for a
    # later reprint, or the template made long after) is planned on its last day.
    last = max(days - 1, 0)
    skeleton["kits"] = [{"offset_days": min((kit.created_at.date() - start).days, last),
                         "format": kit.format, "title": kit.title, "text": kit.text} for kit in kits]
    return skeleton


@transaction.atomic
def plan_from_skeleton(*, space, skeleton: dict, start: date) -> Plan | None:
    """A draft plan for SPACE (new, from a template) from SKELETON, its dates counted from START; the kits become
    « posters » dates of its calendar. Nothing when the template has no plan nor kit, or SPACE has a plan already.
    The space's creation is audit-logged by the caller (resources.space_from_template)."""
    if not skeleton or Plan.objects.filter(space=space).exists():
        return None
    fields = {name: value for name, value in (skeleton.get("fields") or {}).items() if name in KEPT}
    dates = {name: start + timedelta(days=int(days)) for name, days in (skeleton.get("dates") or {}).items()
             if name in DATES}
    plan = Plan.objects.create(space=space, **fields, **dates)
    rows = [PlanMilestone(plan=plan, date=start + timedelta(days=int(row["offset_days"])), kind=row["kind"],
                          title=row["title"][:200], public=(row.get("public") or "")[:200])
            for row in skeleton.get("milestones") or () if row.get("kind") in PlanMilestone.Kind.values]
    formats = dict(KitFormat.choices)
    rows += [PlanMilestone(plan=plan, date=start + timedelta(days=int(kit["offset_days"])),
                           kind=PlanMilestone.Kind.POSTERS,
                           title=(_("%(format)s: %(title)s") % {"format": formats.get(kit["format"], kit["format"]),
                                                                 "title": kit["title"]})[:200])
             for kit in skeleton.get("kits") or ()]
    PlanMilestone.objects.bulk_create(rows)
    return plan


def skeleton_summary(skeleton: dict) -> dict | None:
    """SKELETON in words for a template's page: the publics, the channels, the calendar and the kits; None when
    the template has no plan nor kit."""
    if not skeleton:
        return None
    fields = skeleton.get("fields") or {}
    bands, kinds, channels = dict(AGE_BANDS), dict(ActorKind.choices), dict(Channel.choices)
    milestone_kinds, formats = dict(PlanMilestone.Kind.choices), dict(KitFormat.choices)
    return {
        "question": fields.get("question", ""),
        "open_to_change": fields.get("open_to_change", ""),
        "age_bands": [bands[key] for key in fields.get("age_bands") or () if key in bands],
        "actor_kinds": [kinds[key] for key in fields.get("actor_kinds") or () if key in kinds],
        "priority_areas": bool(fields.get("priority_areas")),
        "channels": [channels[key] for key in fields.get("channels") or () if key in channels],
        "feedback": fields.get("feedback", ""),
        "milestones": [{"when": _when(row["offset_days"]), "kind": milestone_kinds.get(row["kind"], row["kind"]),
                        "title": row["title"], "public": row.get("public", "")}
                       for row in skeleton.get("milestones") or ()],
        "kits": [{"when": _when(kit["offset_days"]), "format": formats.get(kit["format"], kit["format"]),
                  "title": kit["title"]} for kit in skeleton.get("kits") or ()],
    }


def _when(days: int) -> str:
    """A day of the calendar counted from the start of the process, in words."""
    if days < 0:
        return ngettext("%(count)s day before the start", "%(count)s days before the start", -days) % {
            "count": -days}
    return _("Day %(number)s") % {"number": days}
