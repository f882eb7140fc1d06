"""The consultations component: what it tells the registry (URLs, settings, exports, figures, personal data)."""

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from concerto.components.consultations import open_datasets
from concerto.components.consultations.open_datasets import export_results, results_are_public  # noqa: F401
from concerto.components.consultations.permissions import PERMISSIONS
from concerto.core.registry import (
    Action,
    ComponentManifest,
    Conversation,
    Deferred,
    InputWindow,
    Linkable,
    RoomEntry,
    Setting,
    register,
)


def statistics(component) -> dict:
    from concerto.components.consultations.models import Question, Response

    return {
        "responses": Response.objects.filter(component=component, status=Response.Status.SUBMITTED).count(),
        "questions": Question.objects.filter(component=component).count(),
    }


def summary(component, request) -> str:
    from concerto.components.consultations.models import Response

    count = Response.objects.filter(component=component, status=Response.Status.SUBMITTED).count()
    responses = ngettext("%(count)s response.", "%(count)s responses.", count) % {"count": count}
    window = component.window("answers_open")
    if window.open:
        when = (gettext("Open until %(date)s.") % {"date": date_format(window.closes_on, "j F Y")}
                if window.closes_on else gettext("Open now."))
    else:
        when = window.message
    return format_html("{} {}", responses, when)


def personal_data(user) -> dict:
    from concerto.components.consultations.models import Response

    responses = (Response.objects.filter(respondent=user).select_related("component__space")
                 .prefetch_related("answers__question", "answers__option"))
    return {
        "consultation_responses": [
            {
                "consultation": response.component.title,
                "space": response.component.space.title,
                "status": response.status,
                "submitted_at": response.submitted_at.isoformat() if response.submitted_at else None,
                "answers": [
                    {"question": answer.question.label,
                     "answer": answer.option.label if answer.option_id else (
                         answer.text or answer.number or (answer.date.isoformat() if answer.date else None)
                         or ([answer.latitude, answer.longitude] if answer.latitude is not None else None)),
                     "rank": answer.rank, "other": answer.text if answer.option_id else ""}
                    for answer in response.answers.all()
                ],
                "draft": response.draft_data,
            }
            for response in responses
        ]
    }


def erase_personal_data(user) -> None:
    """The answers stay in the results, anonymous (unlinked from the person); drafts are deleted."""
    from concerto.components.consultations.services import responses_erase_for

    responses_erase_for(user)


def _room_form(component, data=None):
    from concerto.components.consultations.room import room_form

    return room_form(component, data)


def _room_record(**values):
    from concerto.components.consultations.room import room_response_record

    return room_response_record(**values)



# The component's audit actions in words, for the audit log page (concerto/core/audit/labels.py).
AUDIT_LABELS = {
    "consultations.draft_saved": _("Questionnaire draft saved"),
    "consultations.intro_updated": _("Questionnaire introduction changed"),
    "consultations.option_moved": _("Answer choice moved"),
    "consultations.question_created": _("Question added"),
    "consultations.question_deleted": _("Question deleted"),
    "consultations.question_moved": _("Question moved"),
    "consultations.question_updated": _("Question changed"),
    "consultations.response_deleted": _("Response deleted"),
    "consultations.response_submitted": _("Response sent"),
    "consultations.response_claimed": _("Chat response attributed to the linked account"),
    "consultations.response_updated": _("Response changed"),
    "consultations.section_created": _("Part added"),
    "consultations.section_deleted": _("Part deleted"),
    "consultations.section_moved": _("Part moved"),
    "consultations.section_updated": _("Part changed"),
}


def linkable_search(*, organisation_ids, query: str):
    """The public items of ORGANISATION_IDS matching QUERY that a decision may answer (core/accountability)."""
    from concerto.components.consultations.models import Questionnaire
    from concerto.core.accountability.linking import items_matching

    published = Questionnaire.objects.filter(component__published=True, component__space__status="published")
    return items_matching(published, organisation_field="component__space__organisation",
                          text_fields=("component__title", "intro"),
                          organisation_ids=organisation_ids, query=query)


manifest = register(ComponentManifest(
    free_texts=Deferred("concerto.components.consultations.hooks.free_texts"),
    free_text_kinds=("consultations.response",),
    name="consultations",
    linkables=(Linkable("consultations.Questionnaire", _("Questionnaire"),
                        Deferred("concerto.components.consultations.manifest.linkable_search")),),
    permissions=PERMISSIONS,
    url_segment="consultation",
    label=_("Consultation"),
    description=_("A questionnaire that residents answer online, and that agents can also fill in from "
                  "paper forms or meetings; its results are counted per question."),
    public_urls="concerto.components.consultations.urls",
    backoffice_urls="concerto.components.consultations.backoffice_urls",
    api_router="concerto.components.consultations.api.router",
    # "respond" can be reserved to verified residents: web answers (and drafts) are refused to the others,
    # anonymous people included; answers the team enters from paper or meetings are not.
    actions=(Action("respond", _("Answer the questionnaire")),),
    settings=(
        Setting("participation", str, "account", label=_("Who can answer"),
                help_text=_("With an account: one response per person, which they can change while answers "
                            "are open. Without an account: anyone can answer; one response per browser, "
                            "which does not stop one person from answering twice."),
                choices=(("account", _("People with an account")), ("anonymous", _("Anyone, without an account")))),
        Setting("results_visibility", str, "staff", label=_("Who sees the results"),
                help_text=_("The team always sees them. Public results can also be downloaded as open data."),
                choices=(("public", _("Everyone")), ("staff", _("Only the team")))),
    ),
    step_settings=(
        Setting("answers_open", bool, True, label=_("Answers are open during this step"),
                help_text=_("Untick to close the questionnaire during this step; the answers already given "
                            "stay.")),
    ),
    exports={"results": export_results},
    open_datasets=(open_datasets.DATASET,),
    statistics=statistics,
    summary=summary,
    personal_data=personal_data,
    erase_personal_data=erase_personal_data,
    room_entry=RoomEntry(form=_room_form, record=_room_record, contribution_kind="consultations.response",
                         template="consultations/room_entry.html", head_template="consultations/room_entry_head.html"),
    input_windows=(
        InputWindow("answers_open", _("Consultation open until %(date)s"), _("Consultation open")),
    ),
    audit_labels=AUDIT_LABELS,
    conversation=Conversation(items=Deferred("concerto.components.consultations.chat.items"),
                              turn=Deferred("concerto.components.consultations.chat.turn"),
                              questions=Deferred("concerto.components.consultations.chat.questions")),
    # A chat linked to an account: its anonymous responses become the account's (concerto/channels/linking.py).
    anonymous_claim=Deferred("concerto.components.consultations.services.responses_claim"),
    synthesis=Deferred("concerto.components.consultations.synthesis.sections"),
    # Process templates keep the questionnaire (concerto/core/resources).
    template_export=Deferred("concerto.components.consultations.template_content.template_export"),
    template_import=Deferred("concerto.components.consultations.template_content.template_import"),
))
