"""The open datasets of decisions and actions (the kernel's: opendata/datasets.py lists them beside spaces and the
ledger). Two datasets, because a decision has many actions and an action has a place: "decisions" (one row per public
decision, its first columns named as the SCDL « Délibérations » schema names them) and "actions" (one row per action
of a public decision, located, with the decision's answers counted by kind). Nothing about the people: the agents
who linked or updated are never named."""

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core.accountability.models import Action, Decision, DecisionLink
from concerto.core.registry import DatasetField, OpenDataset, dataset_fields

ANSWER_FIELDS = tuple(f"answers_{status}" for status in DecisionLink.Status.values)


def _answer_counts(prefix: str) -> dict:
    """One COUNT per answer kind of the contributions the decision (through PREFIX) answers."""
    return {f"answers_{status}": Count(f"{prefix}links", filter=Q(**{f"{prefix}links__status": status}),
                                       distinct=True)
            for status in DecisionLink.Status.values}


def _public_decisions(organisation):
    decisions = Decision.objects.public()
    if organisation is not None:
        decisions = decisions.filter(organisation_id__in=organisation.descendant_ids())
    return decisions


def _iso(value) -> str:
    return value.isoformat() if value else ""


def decision_rows(*, components, organisation):
    """The public decisions of the scope, oldest first. SCDL « Délibérations » (2.1): COLL_NOM, DELIB_ID (the
    deliberation number), DELIB_DATE, DELIB_OBJET (the title) and DELIB_URL (the PDF, when there is one) are filled;
    COLL_SIRET (only the SIREN is known), DELIB_MATIERE_CODE and DELIB_MATIERE_NOM (the ACTES subject is not asked)
    are left empty."""
    decisions = (_public_decisions(organisation).select_related("organisation", "space")
                 .annotate(actions_count=Count("actions", distinct=True), **_answer_counts(""))
                 .order_by("decided_on", "pk"))
    site = settings.SITE_URL.rstrip("/")
    for decision in decisions.iterator(chunk_size=500):
        yield {
            "COLL_NOM": decision.organisation.name, "COLL_SIRET": "", "DELIB_ID": decision.deliberation_number,
            "DELIB_DATE": _iso(decision.decided_on), "DELIB_MATIERE_CODE": "", "DELIB_MATIERE_NOM": "",
            "DELIB_OBJET": decision.title,
            "DELIB_URL": site + decision.document.url if decision.document else "",
            "id": decision.pk, "body": decision.body, "text": decision.text,
            "organisation_siren": decision.organisation.siren, "commune_insee": decision.organisation.insee_code,
            "space": decision.space.title if decision.space_id else "", "actions": decision.actions_count,
            **{name: getattr(decision, name) for name in ANSWER_FIELDS},
            "url": site + decision.get_absolute_url(),
        }


def action_rows(*, components, organisation):
    """The actions of the public decisions of the scope, by decision then planned end."""
    today = timezone.localdate()
    actions = (Action.objects.filter(decision__in=_public_decisions(organisation))
               .select_related("decision__organisation", "decision__space")
               .annotate(**_answer_counts("decision__"))
               .order_by("decision__decided_on", "decision_id", "planned_end", "pk"))
    site = settings.SITE_URL.rstrip("/")
    for action in actions.iterator(chunk_size=500):
        decision = action.decision
        yield {
            "id": action.pk, "title": action.title, "decision_id": decision.pk, "decision": decision.title,
            "decided_on": _iso(decision.decided_on), "deliberation_number": decision.deliberation_number,
            "stage": action.stage, "progress": action.progress,
            "budget_planned": action.budget_planned, "budget_spent": action.budget_spent,
            "planned_start": _iso(action.planned_start), "planned_end": _iso(action.planned_end),
            "actual_start": _iso(action.actual_start), "actual_end": _iso(action.actual_end),
            "late": action.is_late(today), "commune": decision.organisation.name,
            "commune_insee": decision.organisation.insee_code,
            "space": decision.space.title if decision.space_id else "",
            "latitude": round(action.latitude, 5) if action.latitude is not None else None,
            "longitude": round(action.longitude, 5) if action.longitude is not None else None,
            "address": action.address, "service": action.service,
            **{name: getattr(action, name) for name in ANSWER_FIELDS},
            "url": site + action.get_absolute_url(),
        }


ANSWERS = (
    DatasetField("answers_adopted", "integer", _("Contributions answered: adopted")),
    DatasetField("answers_partly", "integer", _("Contributions answered: partly adopted")),
    DatasetField("answers_not_adopted", "integer", _("Contributions answered: not adopted")),
    DatasetField("answers_planned", "integer", _("Contributions answered: already planned")),
)


DECISION_FIELDS = ("COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM",
                   "DELIB_OBJET", "DELIB_URL", "id", "body", "text", "organisation_siren", "commune_insee", "space",
                   "actions", *ANSWER_FIELDS, "url")
ACTION_FIELDS = ("id", "title", "decision_id", "decision", "decided_on", "deliberation_number", "stage", "progress",
                 "budget_planned", "budget_spent", "planned_start", "planned_end", "actual_start", "actual_end", "late",
                 "commune", "commune_insee", "space", "latitude", "longitude", "address", "service", *ANSWER_FIELDS,
                 "url")
SOURCES = ("accountability.Decision", "accountability.DecisionLink", "accountability.Action")

DECISIONS = OpenDataset(
    name="decisions", title=_("Decisions"),
    description=_("The public decisions of the collectivités (municipal council, mayor, territory or Métropole "
                  "council) and how many contributions each answers, by answer. The first columns follow the SCDL "
                  "« Délibérations » schema."),
    fields=dataset_fields(
        DECISION_FIELDS,
        DatasetField("COLL_NOM", "string", _("Name of the collectivité")),
        DatasetField("COLL_SIRET", "string", _("SIRET of the collectivité (left empty)")),
        DatasetField("DELIB_ID", "string", _("Deliberation number")),
        DatasetField("DELIB_DATE", "date", _("Date of the decision")),
        DatasetField("DELIB_MATIERE_CODE", "string", _("Subject code of the ACTES nomenclature (left empty)")),
        DatasetField("DELIB_MATIERE_NOM", "string", _("Subject of the ACTES nomenclature (left empty)")),
        DatasetField("DELIB_OBJET", "string", _("Subject of the decision")),
        DatasetField("DELIB_URL", "string", _("Address of the deliberation (PDF)")),
        DatasetField("body", "string", _("Decided by")),
        DatasetField("organisation_siren", "string", _("SIREN of the collectivité")),
        DatasetField("space", "string", _("Space")),
        DatasetField("actions", "integer", _("Actions")),
        *ANSWERS),
    rows=decision_rows, theme="GOVE", sources=SOURCES)

ACTIONS = OpenDataset(
    name="actions", title=_("Actions carrying decisions out"),
    description=_("The actions that carry the public decisions out: stage, progress, budget planned and spent, "
                  "dates planned and actual, lateness, place, and how many contributions the decision answers, by "
                  "answer."),
    fields=dataset_fields(
        ACTION_FIELDS,
        DatasetField("decision_id", "integer", _("Identifier of the decision")),
        DatasetField("decision", "string", _("Decision")),
        DatasetField("decided_on", "date", _("Date of the decision")),
        DatasetField("deliberation_number", "string", _("Deliberation number")),
        DatasetField("stage", "string", _("Stage")),
        DatasetField("progress", "integer", _("Progress (percent)")),
        DatasetField("budget_planned", "number", _("Planned budget (euros)")),
        DatasetField("budget_spent", "number", _("Budget spent (euros)")),
        DatasetField("planned_start", "date", _("Planned start")),
        DatasetField("planned_end", "date", _("Planned end")),
        DatasetField("actual_start", "date", _("Actual start")), DatasetField("actual_end", "date", _("Actual end")),
        DatasetField("late", "boolean", _("Late (planned end passed)")),
        DatasetField("space", "string", _("Space")),
        DatasetField("service", "string", _("Responsible service")),
        *ANSWERS),
    rows=action_rows, located=True, theme="GOVE", sources=SOURCES)

DATASETS = (DECISIONS, ACTIONS)
