"""Questionnaires filled in on paper at a meeting, typed in afterwards by an organiser: the form and the service
behind the manifest's RoomEntry (the events component offers them without importing this module)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.components.consultations.forms import ResidenceField, ResponseForm
from concerto.components.consultations.questionnaire import questionnaire_structure
from concerto.components.consultations.services import CONTRIBUTION_KIND, paper_response_enter
from concerto.core.participation.models import Channel
from concerto.core.territory.models import Organisation

__all__ = ["CONTRIBUTION_KIND", "RoomResponseForm", "room_form", "room_response_record"]


class RespondentForm(forms.Form):
    """What the agent may know of the person who filled in a paper questionnaire: their commune."""

    use_required_attribute = False

    residence = ResidenceField(
        label=_("Commune of residence of the person"), required=False, queryset=Organisation.objects.none(),
        empty_label=_("Not given, or outside the Métropole"),
        help_text=_("Only if the paper says it: it shows where the answers come from."),
        error_messages={"invalid_choice": _("Choose a commune of the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["residence"].queryset = Organisation.objects.communes().order_by("search_name", "name")


class RoomResponseForm(ResponseForm):
    """The questionnaire as on paper (required questions not enforced), with what is known of the person
    (`about`, its fields prefixed "about-")."""

    def __init__(self, structure, data=None):
        super().__init__(structure, data, paper=True)
        self.about = RespondentForm(data, prefix="about")

    def is_valid(self) -> bool:
        answers_valid = super().is_valid()
        return self.about.is_valid() and answers_valid

    def room_values(self) -> dict:
        return {"answers": self.answers, "residence": self.about.cleaned_data["residence"]}


def room_form(component, data=None) -> RoomResponseForm:
    return RoomResponseForm(questionnaire_structure(component), data)


def room_response_record(*, actor, component, day, answers: dict, residence=None):
    """Answers given on paper at a meeting: an anonymous response with the in-person channel, dated DAY."""
    return paper_response_enter(actor=actor, component=component, answers=answers, channel=Channel.IN_PERSON,
                                residence=residence, answered_on=day)
