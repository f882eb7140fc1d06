"""Forms of events: the back-office event form, cancelling, registration questions, registering, and the
filters of the public lists. Plain forms: the services, not the forms, change the data."""

from django import forms
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from concerto.components.events.models import Audience, Event, Registration
from concerto.components.events.services import LANGUAGES
from concerto.core import registry
from concerto.core.forms import DATETIME_FORMATS, DateTimeInput
from concerto.core.maps import PointField
from concerto.core.spaces.models import Component


def language_choices():
    return [(code, get_language_info(code)["name_translated"]) for code in LANGUAGES]


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=Event._meta.get_field("title").max_length,
                            error_messages={"required": _("Give the event a title.")})
    kind = forms.ChoiceField(label=_("Kind of event"), choices=Event.Kind.choices)
    format = forms.ChoiceField(label=_("Format"), choices=Event.Format.choices, widget=forms.RadioSelect,
                               help_text=_("Online and hybrid events need the link of the online meeting."))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What will happen, for whom, what residents can change. Leave an empty line between "
                    "paragraphs."))
    starts_at = forms.DateTimeField(label=_("Starts on"), widget=DateTimeInput, input_formats=DATETIME_FORMATS,
                                    help_text=_("Date and time, for example 2026-03-14 18:30."),
                                    error_messages={"required": _("Give the date and time the event starts."),
                                                    "invalid": _("Enter a date and time, such as 2026-03-14 18:30.")})
    ends_at = forms.DateTimeField(label=_("Ends on"), widget=DateTimeInput, input_formats=DATETIME_FORMATS,
                                  error_messages={"required": _("Give the date and time the event ends."),
                                                  "invalid": _("Enter a date and time, such as 2026-03-14 20:30.")})
    place_name = forms.CharField(label=_("Place"), required=False, max_length=150,
                                 help_text=_("For example: Salle des fêtes, école Jean-Jaurès."))
    # The « Adresse » input is the point widget's own (one autocomplete, posted as "address"): an address
    # chosen places the point, a point placed finds its address, and an address nobody can locate is kept.
    location = PointField(label=_("Place on the map"), required=False, address_name="address", address_alone=True)
    step_free_access = forms.BooleanField(label=_("Step-free access"), required=False)
    induction_loop = forms.BooleanField(label=_("Induction loop"), required=False)
    sign_language = forms.BooleanField(label=_("French sign language interpreting"), required=False)
    accessibility_notes = forms.CharField(
        label=_("Other accessibility information"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Nearest step-free entrance, toilets, seats, large print documents…"))
    online_url = forms.URLField(label=_("Link of the online meeting"), required=False, max_length=500,
                                assume_scheme="https",
                                help_text=_("Shown to registered people only."),
                                error_messages={"invalid": _("Enter a web address starting with https://.")})
    languages = forms.MultipleChoiceField(label=_("Languages"), required=False, choices=language_choices,
                                          widget=forms.CheckboxSelectMultiple)
    audiences = forms.MultipleChoiceField(label=_("Audiences the event is for"), required=False,
                                          choices=Audience.choices, widget=forms.CheckboxSelectMultiple)
    organiser = forms.CharField(label=_("Organiser"), required=False, max_length=150)
    registration_enabled = forms.BooleanField(
        label=_("People register to come"), required=False,
        help_text=_("Untick for an event open to all without registering (a stand at the market)."))
    capacity = forms.IntegerField(label=_("Number of places"), required=False, min_value=1, max_value=100_000,
                                  help_text=_("Empty: no limit. Beyond it, people go on a waitlist. In a hybrid "
                                              "event, the places are those of the room."),
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    contributions_component = forms.ModelChoiceField(
        label=_("Where the contributions gathered in the room go"), required=False,
        queryset=Component.objects.none(), empty_label=_("Nowhere yet"),
        error_messages={"invalid_choice": _("Choose a proposals or consultation component of this space.")})

    def __init__(self, *args, component, event: Event | None = None, **kwargs):
        if event is not None:
            kwargs.setdefault("initial", {
                **{name: getattr(event, name) for name in (
                    "title", "kind", "format", "description", "place_name", "step_free_access",
                    "induction_loop", "sign_language", "accessibility_notes", "online_url", "languages",
                    "audiences", "organiser", "registration_enabled", "capacity")},
                "starts_at": timezone.localtime(event.starts_at), "ends_at": timezone.localtime(event.ends_at),
                "location": (event.latitude, event.longitude, event.address),
                "contributions_component": event.contributions_component_id,
            })
        else:
            kwargs.setdefault("initial", {"registration_enabled": True, "format": Event.Format.IN_PERSON})
        super().__init__(*args, **kwargs)
        self.fields["location"].within = component.space.organisation
        self.fields["contributions_component"].queryset = Component.objects.filter(
            space=component.space, kind__in=registry.room_entry_kinds())

    def values(self) -> dict:
        """The cleaned data in the shape the services take."""
        data = dict(self.cleaned_data)
        point = data.pop("location")
        data["address"] = getattr(point, "address", "") if point is not None else ""
        data["point"] = (point[0], point[1]) if point is not None and point[0] is not None else None
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300,
                             help_text=_("The people registered receive it, and it is shown on the event's page."),
                             error_messages={"required": _("Give the reason: the people registered will read it.")})


class QuestionForm(forms.Form):
    label = forms.CharField(label=_("Question"), max_length=200,
                            help_text=_("For example: do you need childcare during the meeting?"),
                            error_messages={"required": _("Write the question.")})
    required = forms.BooleanField(label=_("An answer is required"), required=False)


class RegistrationForm(forms.Form):
    """Registering: the event's questions, and for a hybrid event whether the person comes to the room."""

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        if event.format == Event.Format.HYBRID:
            self.fields["attendance"] = forms.ChoiceField(
                label=_("How will you take part?"), choices=Registration.Attendance.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Say whether you will come to the room or follow online.")})
        for question in event.questions.all():
            self.fields[f"question_{question.pk}"] = forms.CharField(
                label=question.label, required=question.required, max_length=1000,
                error_messages={"required": _("Answer this question: it is required.")})

    def answers(self) -> dict:
        return {name.removeprefix("question_"): value for name, value in self.cleaned_data.items()
                if name.startswith("question_")}


class FilterForm(forms.Form):
    """The filters of the public lists and of the agenda (all optional; bad values are ignored)."""

    commune = forms.TypedChoiceField(label=_("Commune"), required=False, coerce=int, empty_value=None)
    du = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    type = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Event.Kind.choices])
    public = forms.ChoiceField(label=_("Audience"), required=False,
                               choices=[("", _("All audiences")), *Audience.choices])

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", _("All communes"))] + [(c.pk, c.name) for c in communes]

    def filters(self) -> dict:
        """The valid filters only: a junk value in the address is dropped, never an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or None for name in ("commune", "du", "type", "public")
                if name not in self.errors}
