"""Questions to elected officials: what the component tells the registry."""

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from concerto.components.questions.permissions import PERMISSIONS
from concerto.core.registry import (
    Action,
    ComponentManifest,
    Deferred,
    InputWindow,
    Linkable,
    NotificationKind,
    PeriodicJob,
    Setting,
    register,
)


def _public(component):
    from concerto.components.questions.models import Question

    return Question.objects.public().filter(component=component)


def export_questions(component) -> list[dict]:
    """Open data: public questions and answers (the official who answered is public; the author is not)."""
    return [
        {"id": q.pk, "question": q.title, "details": q.text, "addressee": q.addressee.name if q.addressee else "",
         "published_at": q.published_at.isoformat() if q.published_at else None, "supports": q.support_count,
         "due_at": q.due_at.isoformat() if q.due_at else None, "answer": q.answer_text,
         "answered_by": q.answered_by_name, "answered_at": q.answered_at.isoformat() if q.answered_at else None,
         "late": q.is_late, "url": q.get_absolute_url()}
        for q in _public(component).select_related("addressee", "component__space__organisation")
        .order_by("published_at", "pk")
    ]


def statistics(component) -> dict:
    from concerto.components.questions.figures import figures

    return figures(_public(component))


def summary(component, request) -> str:
    count = _public(component).count()
    if not count:
        return gettext("No question yet: ask the first one.")
    return ngettext("%(count)s question to the elected officials.", "%(count)s questions to the elected officials.",
                    count) % {"count": count}


def personal_data(user) -> dict:
    from concerto.components.questions.models import Question, QuestionSupport

    return {
        "questions_asked": [{"question": q.title, "details": q.text, "status": q.status,
                             "created_at": q.created_at.isoformat()} for q in Question.objects.filter(author=user)],
        "questions_supported": [{"question": s.question.title, "created_at": s.created_at.isoformat()}
                                for s in QuestionSupport.objects.filter(user=user).select_related("question")],
    }


def erase_personal_data(user) -> None:
    """A published question stays (others supported it, the commune answered it), without its author; supports
    go with the account (the counter keeps the number)."""
    from concerto.components.questions.models import Question, QuestionSupport

    Question.objects.filter(author=user).update(author=None)
    QuestionSupport.objects.filter(user=user).delete()


AUDIT_LABELS = {
    "questions.question_asked": _("Question to elected officials asked"),
    "questions.question_published": _("Question to elected officials published"),
    "questions.question_rejected": _("Question to elected officials refused"),
    "questions.support_added": _("Question supported"),
    "questions.commitment": _("Commitment to answer a question"),
    "questions.assigned": _("Question assigned to an elected official"),
    "questions.deadline_set": _("Deadline of a question changed"),
    "questions.answer_drafted": _("Answer to a question saved"),
    "questions.answer_published": _("Answer to a question published"),
    "questions.answer_corrected": _("Answer to a question corrected"),
    "questions.reminder_sent": _("Reminder of a question's deadline sent"),
    "questions.profile_created": _("Elected official's profile created"),
    "questions.profile_updated": _("Elected official's profile changed"),
}


def linkable_search(*, organisation_ids, query: str):
    """The public items of ORGANISATION_IDS matching QUERY that a decision may answer (core/accountability)."""
    from concerto.components.questions.models import Question
    from concerto.core.accountability.linking import items_matching

    return items_matching(Question.objects.public(), organisation_field="component__space__organisation",
                          text_fields=("title", "text"),
                          organisation_ids=organisation_ids, query=query)


manifest = register(ComponentManifest(
    name="questions",
    linkables=(Linkable("questions.Question", _("Question to an official"),
                        Deferred("concerto.components.questions.manifest.linkable_search")),),
    url_segment="elus",
    label=_("Questions to elected officials"),
    description=_("Residents ask their elected officials public questions; supported questions get a public "
                  "answer within a deadline."),
    public_urls="concerto.components.questions.urls",
    backoffice_urls="concerto.components.questions.backoffice_urls",
    organisation_urls="concerto.components.questions.organisation_urls",
    api_router="concerto.components.questions.api.router",
    actions=(Action("ask", _("Ask a question to the elected officials")),
             Action("support", _("Support a question to the elected officials"))),
    settings=(
        Setting("support_threshold", int, 50, label=_("Supports needed for a commitment to answer"),
                help_text=_("When a question reaches this number of supports, the commune commits to answer it "
                            "publicly."), min_value=1, max_value=100000),
        Setting("answer_days", int, 30, label=_("Days to answer a supported question"),
                help_text=_("The deadline counts from the day the threshold is reached."), min_value=1,
                max_value=365),
        Setting("reminder_days", int, 7, label=_("Remind the official this many days before the deadline"),
                help_text=_("0: no reminder."), min_value=0, max_value=60),
    ),
    step_settings=(
        Setting("questions_open", bool, True, label=_("Residents can ask questions during this step")),
    ),
    exports={"questions": export_questions},
    statistics=statistics,
    summary=summary,
    personal_data=personal_data,
    erase_personal_data=erase_personal_data,
    # Reminders to the assignee before the deadline: each question gets one, whatever the number of runs.
    periodic=(PeriodicJob("questions.reminders", 60 * 60,
                          Deferred("concerto.components.questions.services.reminders_send")),),
    permissions=PERMISSIONS,
    notifications=(
        NotificationKind("questions.published", _("My question to the elected officials is published"), fate=True),
        NotificationKind("questions.rejected", _("My question to the elected officials was refused"), fate=True),
        NotificationKind("questions.committed",
                         _("My question reached its supports: the commune will answer"), fate=True),
        NotificationKind("questions.answered", _("A question I asked or supported is answered")),
        NotificationKind("questions.assigned", _("A question is assigned to me")),
        NotificationKind("questions.reminder", _("A question assigned to me is due soon")),
    ),
    input_windows=(InputWindow("questions_open", _("Questions open until %(date)s"), _("Questions open")),),
    audit_labels=AUDIT_LABELS,
    digest_section=Deferred("concerto.components.questions.hooks.digest_section"),
    dialogue=Deferred("concerto.components.questions.hooks.dialogue"),
    synthesis=Deferred("concerto.components.questions.synthesis.sections"),

    comparison=Deferred("concerto.components.questions.hooks.comparison"),
))
