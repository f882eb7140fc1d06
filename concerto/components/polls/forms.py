"""Forms of quick polls: the answer (public) and the poll (back-office). The services, not the forms, decide."""


from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concerto.components.polls.models import MAX_CHOICES, MIN_CHOICES, WHY_MAX_LENGTH, Poll
from concerto.core.forms import DATETIME_FORMATS, DateTimeInput
from concerto.core.maps import AreaField, PointField
from concerto.core.territory.models import Organisation


class AnswerForm(forms.Form):
    def __init__(self, poll: Poll, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = [(choice.pk, choice.label) for choice in poll.choices.all()]
        if poll.multiple:
            self.fields["choices"] = forms.TypedMultipleChoiceField(
                label=poll.question, choices=options, coerce=int, widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Choose at least one answer.")})
        else:
            self.fields["choices"] = forms.TypedChoiceField(
                label=poll.question, choices=options, coerce=int, widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")})
        if poll.why != Poll.Why.NONE:
            # No max_length here: the service says how long it was, with the same words for every channel.
            self.fields["why"] = forms.CharField(
                label=_("Why?"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Optional, %(max)s characters at most.") % {"max": WHY_MAX_LENGTH}
                if poll.why == Poll.Why.OPTIONAL else _("%(max)s characters at most.") % {"max": WHY_MAX_LENGTH})
        if poll.target_area:
            self.fields["point"] = PointField(label=_("Your address"), within=poll.target, help_text=_(
                "This poll is for one quartier: your address is checked against it and not kept."))

    def answer_values(self) -> dict:
        data = self.cleaned_data
        choices = data.get("choices")
        point = data.get("point")
        return {"choices": choices if isinstance(choices, list) else [choices],
                "why": data.get("why", ""),
                "point": (point.latitude, point.longitude) if point and point.latitude is not None else None}


class PollForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=200,
                               error_messages={"required": _("Write the question.")})
    choices = forms.CharField(label=_("Answers"), widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("One per line, between 2 and 8."))
    multiple = forms.BooleanField(label=_("Several answers allowed"), required=False)
    why = forms.ChoiceField(label=_("“Why?” text"), choices=Poll.Why.choices, initial=Poll.Why.NONE)
    opens_at = forms.DateTimeField(label=_("Opens on"), widget=DateTimeInput, input_formats=DATETIME_FORMATS)
    closes_at = forms.DateTimeField(label=_("Closes on"), widget=DateTimeInput, input_formats=DATETIME_FORMATS,
                                    required=False, help_text=_("Leave empty to close it by hand."))
    results = forms.ChoiceField(label=_("Results shown"), choices=Poll.Results.choices,
                                initial=Poll.Results.AFTER_ANSWER, widget=forms.RadioSelect)
    verified_only = forms.BooleanField(label=_("Only verified residents can answer"), required=False,
                                       help_text=_("One answer per verified resident, whatever their accounts."))
    target_organisation = forms.ModelChoiceField(
        label=_("Who is asked"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("The whole organisation"))
    target_area_name = forms.CharField(label=_("Name of the quartier"), max_length=100, required=False)
    target_area = AreaField(
        label=_("Quartier (GeoJSON polygon)"),
        help_text=_("Optional: a polygon drawn on a map and saved as GeoJSON (longitude, latitude). Only the "
                    "residents who give an address inside it can answer."))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].error_messages["required"] = gettext("Give between %(min)s and %(max)s answers.") % {
            "min": MIN_CHOICES, "max": MAX_CHOICES}
        ids = organisation.descendant_ids() | {organisation.pk}
        self.fields["target_organisation"].queryset = Organisation.objects.filter(pk__in=ids).order_by("kind", "name")

    def clean_choices(self):
        return [line for line in self.cleaned_data["choices"].splitlines() if line.strip()]

    def poll_values(self) -> dict:
        return dict(self.cleaned_data)
