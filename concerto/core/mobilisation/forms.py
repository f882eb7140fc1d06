"""The agents' forms: a section of a plan, an actor to involve, a date of the calendar, an actor of the directory
and its contact persons."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.core.forms import DATETIME_FORMATS, DateTimeInput, date_field
from concerto.core.inputs import EmailFormField
from concerto.core.mobilisation.models import AGE_BANDS, Actor, ActorKind, Channel, KitFormat, Plan, PlanMilestone
from concerto.core.spaces.models import Topic


def _text(label, max_length, rows=4, required=False, help_text=""):
    return forms.CharField(label=label, max_length=max_length, required=required, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _choices(label, choices, help_text=""):
    return forms.MultipleChoiceField(label=label, choices=choices, required=False, help_text=help_text,
                                     widget=forms.CheckboxSelectMultiple)


# Every field a section may edit; a section's form keeps its own.
PLAN_FIELDS = {
    "question": lambda: _text(_("The question put to residents"), 2000, 3),
    "open_to_change": lambda: _text(_("What residents can change"), 4000,
                                    help_text=_("The room for manoeuvre: what the contributions may really change.")),
    "not_open": lambda: _text(_("What is already decided, and why"), 4000),
    "decision": lambda: _text(_("The decision the concertation feeds"), 2000, 3),
    "decision_maker": lambda: forms.CharField(label=_("Who decides"), max_length=300, required=False,
                                              help_text=_("For example: the municipal council.")),
    "decision_date": lambda: date_field(_("When the decision is expected")),
    "age_bands": lambda: _choices(_("Age bands to reach"), AGE_BANDS,
                                  help_text=_("INSEE's bands, the ones the representativeness figures use.")),
    "actor_kinds": lambda: _choices(_("Kinds of actors to involve"), ActorKind.choices),
    "quartiers": lambda: _text(_("Quartiers to reach"), 2000, 3),
    "priority_areas": lambda: forms.BooleanField(label=_("Reach the priority neighbourhoods of the city policy (QPV)"),
                                                 required=False),
    "publics_note": lambda: _text(_("Why these publics"), 4000),
    "channels": lambda: _choices(_("Channels"), Channel.choices),
    "feedback": lambda: _text(_("How residents will hear what became of their contributions"), 4000),
    "feedback_date": lambda: date_field(_("Feedback given by")),
}


class PlanSectionForm(forms.Form):
    def __init__(self, *args, section, plan: Plan, **kwargs):
        initial = {name: getattr(plan, name) for name in section.fields}
        super().__init__(*args, initial=initial, **kwargs)
        for name in section.fields:
            self.fields[name] = PLAN_FIELDS[name]()

    def values(self) -> dict:
        values = dict(self.cleaned_data)
        for name, value in values.items():
            if value is None and name not in ("decision_date", "feedback_date"):
                values[name] = ""
        return values


class StakeholderForm(forms.Form):
    actor = forms.ModelChoiceField(label=_("An actor of the directory"), queryset=Actor.objects.none(),
                                   required=False)
    name = forms.CharField(label=_("Or its name"), max_length=200, required=False)
    role = forms.CharField(label=_("Role in the concertation"), max_length=300)
    reached_by = forms.CharField(label=_("How it will be reached"), max_length=300)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = Actor.objects.filter(organisation=organisation)


class MilestoneForm(forms.Form):
    date = date_field(_("Date"), required=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanMilestone.Kind.choices)
    title = forms.CharField(label=_("What"), max_length=200)
    public = forms.CharField(label=_("For whom"), max_length=200, required=False)


class ActorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActorKind.choices)
    description = _text(_("What it does"), 2000, 3)
    topics = forms.ModelMultipleChoiceField(label=_("Topics"), queryset=Topic.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    quartiers = forms.CharField(label=_("Quartiers"), max_length=500, required=False,
                                help_text=_("The quartiers where it acts, separated by commas."))
    priority_area = forms.BooleanField(label=_("Acts in a priority neighbourhood (QPV)"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.CharField(label=_("Role"), max_length=200, required=False)
    email = EmailFormField(label=pgettext_lazy("person", "Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    campaigns_consent = forms.BooleanField(
        label=_("Agreed to receive the commune's invitations to take part by email"), required=False,
        help_text=_("Tick only if the person said yes. Every invitation lets them stop in one click."))


class MemberForm(forms.Form):
    """An existing account to add to an actor's members, by its email."""

    email = EmailFormField(label=pgettext_lazy("person", "Email"),
                           help_text=_("The address of the person's account on this site. They will confirm from "
                                       "their account before they can contribute on behalf of this actor."))


class ActorFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *ActorKind.choices], required=False)
    qpv = forms.BooleanField(label=_("In a priority neighbourhood (QPV)"), required=False)
    q = forms.CharField(label=_("Name or quartier"), max_length=100, required=False)


class KitTargetForm(forms.Form):
    """The first step of a kit: the page it is for (sent by GET, so that the next form is prefilled)."""

    target = forms.ChoiceField(label=_("The page the kit is for"),
                               help_text=_("A space, an event to come or the reports service of the commune."))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "—")] + [(target.key, f"{target.get_kind_display()} · {target.label}")
                                                         for target in targets]


class KitForm(KitTargetForm):
    format = forms.ChoiceField(label=_("Format"), choices=KitFormat.choices, initial=KitFormat.POSTER_A4,
                               widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=90,
                            help_text=_("Short and in plain words: it is printed in large letters."))
    text = forms.CharField(label=_("Text"), max_length=400, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Two or three sentences at most (400 characters)."))
    when = forms.CharField(label=_("Date and place"), max_length=200, required=False,
                           help_text=_("For an event: its day, time and place."))


class CampaignForm(forms.Form):
    """A campaign: its channel, words, page and segment (campaigns.py). The channels offered and the spaces are
    the organisation's."""

    channel = forms.ChoiceField(label=_("Channel"), widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Subject"), max_length=120,
                              help_text=_("The email's subject, or the notification's title."))
    text = forms.CharField(label=_("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("Plain words: what is asked, until when, why it matters. A link to the page "
                                       "and the way to stop these invitations are added."))
    target = forms.CharField(label=_("Page the message leads to"), max_length=500, initial="/",
                             help_text=_("An address of this site, starting with /, for example /sceaux/budget-2026/."))
    space = forms.ModelChoiceField(label=_("Space"), queryset=None, required=False,
                                   help_text=_("Optional: narrows followers and past contributors to this space."))
    followers = forms.BooleanField(label=_("People who follow the commune or its spaces"), required=False)
    topics = forms.ModelMultipleChoiceField(label=_("People who follow one of these topics"), required=False,
                                            queryset=Topic.objects.all(), widget=forms.CheckboxSelectMultiple)
    contributors = forms.BooleanField(label=_("People who have already taken part"), required=False)
    since = date_field(_("Taken part since"), help_text=_("Optional: only contributions from this date."))
    verified = forms.BooleanField(label=_("Verified residents"), required=False)
    age_band = forms.ChoiceField(label=_("Age band"), required=False, choices=[("", _("All ages")), *AGE_BANDS],
                                 help_text=_("Only people who gave their year of birth and agreed to its use."))
    places = forms.BooleanField(label=_("People who follow a place in the commune"), required=False)
    quartier = forms.ModelChoiceField(label=_("People who live in this quartier"), queryset=None, required=False,
                                      empty_label=_("Every quartier"),
                                      help_text=_("Only people who gave their quartier and agreed to its use."))
    actors = forms.BooleanField(label=_("Contact persons of the actors directory who agreed (email only)"),
                                required=False)
    actor_kinds = _choices(_("Kinds of actors"), ActorKind.choices,
                           help_text=_("Optional: only the contacts of these kinds of actors."))

    SEGMENT = ("followers", "contributors", "verified", "age_band", "places", "actors")

    def __init__(self, *args, organisation, channels, **kwargs):
        super().__init__(*args, **kwargs)
        from concerto.core.spaces.models import Space

        self.fields["channel"].choices = channels
        self.fields["channel"].initial = channels[0][0]
        self.fields["space"].queryset = Space.objects.filter(organisation=organisation).order_by("title")
        from concerto.core.territory.models import Quartier

        quartiers = Quartier.objects.filter(organisation=organisation)
        if quartiers.exists():
            self.fields["quartier"].queryset = quartiers
        else:  # a commune without quartiers (or a territory): nothing to offer
            del self.fields["quartier"]

    def clean_target(self):
        from concerto.core.mobilisation.links import is_local_path

        target = self.cleaned_data["target"].strip()
        if not is_local_path(target):
            raise forms.ValidationError(_("A short link can only lead to a page of this site."))
        return target

    def segment(self) -> dict:
        data = self.cleaned_data
        segment = {key: data[key] for key in self.SEGMENT if data.get(key)}
        if data.get("topics"):
            segment["topics"] = [topic.pk for topic in data["topics"]]
        if data.get("quartier"):
            segment["quartier"] = data["quartier"].pk
        if data.get("contributors") and data.get("since"):
            segment["since"] = data["since"].isoformat()
        if data.get("actors") and data.get("actor_kinds"):
            segment["actor_kinds"] = list(data["actor_kinds"])
        return segment

    @classmethod
    def initial_of(cls, campaign) -> dict:
        segment = campaign.segment or {}
        return {"channel": campaign.channel, "subject": campaign.subject, "text": campaign.text,
                "target": campaign.target, "space": campaign.space_id, "topics": segment.get("topics", []),
                "since": segment.get("since"), "actor_kinds": segment.get("actor_kinds", []),
                "quartier": segment.get("quartier"),
                **{key: segment.get(key) for key in cls.SEGMENT}}


class CampaignScheduleForm(forms.Form):
    send_at = forms.DateTimeField(label=_("Send on"), widget=DateTimeInput, input_formats=DATETIME_FORMATS)

    def clean_send_at(self):
        from django.utils import timezone

        value = self.cleaned_data["send_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Choose a time to come."))
        return value
