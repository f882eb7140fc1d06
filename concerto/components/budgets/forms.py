"""Forms of the projects pages and their back-office. Plain forms: the services, not the forms, change data;
the forms give each field a label, a hint and an error in words, and map service errors back to fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.components.budgets.models import Budget, Category, Project
from concerto.components.budgets.services import (
    ANSWER_MAX_LENGTH,
    MAX_EUROS,
    NOTES_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from concerto.components.budgets.services.follow_up import UPDATE_MAX_LENGTH
from concerto.core.accountability.models import Action
from concerto.core.maps import PointField
from concerto.core.participation.behalf import behalf_value
from concerto.core.territory.models import Organisation
from concerto.core.uploads import ImageWithAltFormMixin, validate_image_upload


class ServiceErrorsMixin:
    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError next to the fields it names (at the top for the others)."""
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


def _euros_field(label, help_text, *, required=True, required_message=None):
    return forms.IntegerField(
        label=label, required=required, min_value=1, max_value=MAX_EUROS, help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1", "min": "1"}),
        error_messages={"required": required_message or _("Enter an amount in euros."),
                        "invalid": _("Enter a whole number of euros, without cents (for example 25000)."),
                        "min_value": _("The amount must be more than 0 €."),
                        "max_value": _("This amount is too large.")},
    )


class ProjectForm(ServiceErrorsMixin, ImageWithAltFormMixin, forms.Form):
    """Submit or edit a project."""

    title = forms.CharField(
        label=_("Title of your project"), max_length=TITLE_MAX_LENGTH,
        help_text=_("In a few words: what do you propose to build or do? 150 characters at most."),
        error_messages={"required": _("Give your project a title."),
                        "max_length": _("The title is too long: 150 characters at most.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    text = forms.CharField(
        label=_("Describe your project"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What, where, for whom, why. Leave an empty line between paragraphs."),
        error_messages={"required": _("Describe your project.")},
    )
    estimated_cost = _euros_field(
        _("Estimated cost (€)"), _("Your estimate, in whole euros. The services will check it."),
        required_message=_("Give an estimate of the cost, in euros."))
    budget = forms.ModelChoiceField(
        label=_("Budget"), queryset=Budget.objects.none(), empty_label=_("Choose a budget"),
        help_text=_("The envelope your project competes in."),
        error_messages={"required": _("Choose the budget your project is for."),
                        "invalid_choice": _("Choose one of the budgets of the list.")},
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=_("Choose a category"), required=False,
        error_messages={"invalid_choice": _("Choose one of the categories of the list.")},
    )
    location = PointField(label=_("Place of the project"), required=False)
    image = forms.ImageField(
        label=_("Image"), required=False, help_text=_("A photo or a drawing: JPEG, PNG or WebP, 5 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={"invalid_image": _("This file is not an image we accept. Send a JPEG, PNG or WebP image.")},
    )
    image_alt = forms.CharField(
        label=_("Description of the image"), max_length=200, required=False,
        help_text=_("What the image shows, for people who cannot see it."),
    )

    def __init__(self, *args, component, project: Project | None = None, **kwargs):
        if project is not None:
            kwargs.setdefault("initial", {
                "title": project.title, "text": project.text, "estimated_cost": project.estimated_cost,
                "budget": project.budget_id, "category": project.category_id, "image": project.image,
                "image_alt": project.image_alt,
                "location": (project.latitude, project.longitude, project.address) if project.has_location else None,
            })
        super().__init__(*args, **kwargs)
        self.component = component
        budgets = list(Budget.objects.filter(component=component))
        self.budgets = budgets
        if len(budgets) > 1:
            self.fields["budget"].queryset = Budget.objects.filter(component=component)
        else:
            del self.fields["budget"]
            if budgets:
                self.fields["estimated_cost"].help_text = _(
                    "Your estimate, in whole euros, at most %(amount)s €. The services will check it."
                ) % {"amount": f"{budgets[0].amount:,}".replace(",", "\u202f")}
        categories = Category.objects.filter(component=component)
        if categories.exists():
            self.fields["category"].queryset = categories
        else:
            del self.fields["category"]
        organisation = component.space.organisation
        self.fields["location"].within = organisation
        self.fields["location"].help_text = _(
            "Optional. Click the map, or enter the latitude and longitude in decimal degrees "
            "(for example 48.7786 and 2.2906). The place must be in %(name)s.") % {"name": organisation.name}

    def values(self) -> dict:
        data = self.cleaned_data
        values = {"title": data["title"], "text": data["text"], "estimated_cost": data["estimated_cost"],
                  "category": data.get("category"), "image_alt": data.get("image_alt", ""),
                  "point": data.get("location")}
        if "budget" in self.fields:
            values["budget"] = data.get("budget")
        image = data.get("image")
        if image is False or isinstance(image, UploadedFile):
            values["image"] = image
        return values | behalf_value(self)


STATUS_FILTERS = (
    ("", pgettext_lazy("budget filter", "All")),
    ("pending", _("Not reviewed yet")),
    ("eligible", _("Eligible")),
    ("ineligible", _("Not eligible")),
    ("ballot", _("Put to the vote")),
    ("selected", _("Winning projects")),
    ("merged", _("Merged into another project")),
)


def filter_by_status(projects, status: str):
    if status == "pending":
        return projects.filter(eligibility="", merged_into__isnull=True)
    if status == "eligible":
        return projects.filter(eligibility=Project.Eligibility.ELIGIBLE, merged_into__isnull=True)
    if status == "ineligible":
        return projects.filter(eligibility=Project.Eligibility.INELIGIBLE)
    if status == "ballot":
        return projects.filter(on_ballot=True, budget__ballot_published_at__isnull=False)
    if status == "selected":
        return projects.filter(selected=True)
    if status == "merged":
        return projects.filter(merged_into__isnull=False)
    return projects


class FilterForm(forms.Form):
    """The filters of the public list (GET). Unknown values are dropped, never an error."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))
    enveloppe = forms.TypedChoiceField(label=_("Budget"), required=False, coerce=int, empty_value=None)
    categorie = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    commune = forms.TypedChoiceField(label=_("Commune"), required=False, coerce=int, empty_value=None)
    statut = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_FILTERS)

    def __init__(self, data, *, budgets, categories, communes):
        super().__init__(data)
        everything = pgettext_lazy("budget filter", "All")
        self.fields["enveloppe"].choices = [("", everything), *[(b.pk, b.name) for b in budgets]]
        self.fields["categorie"].choices = [("", everything), *[(c.pk, c.name) for c in categories]]
        self.fields["commune"].choices = [("", everything), *[(c.pk, c.name) for c in communes]]

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {"q": (data.get("q") or "").replace("\x00", "").strip()[:100], "budget": data.get("enveloppe"),
                "category": data.get("categorie"), "commune": data.get("commune"),
                "status": data.get("statut") or ""}


class BudgetForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, error_messages={"required": _("Give the budget a name.")},
                           help_text=_("For example “Budget de la commune” or “Quartier des Blagis”."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    amount = _euros_field(_("Amount (€)"), _("In whole euros."))
    scope = forms.ModelChoiceField(
        label=_("Voters' area"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("The whole organisation of the space"),
        help_text=_("Who may vote: the residents of the whole organisation, or of one of its communes."),
        error_messages={"invalid_choice": _("Choose an area from the list.")})
    ballot_kind = forms.ChoiceField(label=_("Ballot"), choices=Budget.BallotKind.choices, widget=forms.RadioSelect,
                                    error_messages={"required": _("Choose a kind of ballot.")})
    max_choices = forms.IntegerField(label=_("Approval: most projects a voter may choose"), min_value=0,
                                     max_value=1000, required=False, help_text=_("0 for no limit."))
    min_share = forms.IntegerField(label=_("Knapsack: smallest share of the budget a ballot must spend (%)"),
                                   min_value=0, max_value=100, required=False, help_text=_("0 for none."))
    points = forms.IntegerField(label=_("Cumulative: points per voter"), min_value=1, max_value=1000,
                                required=False, initial=10)
    max_points_per_project = forms.IntegerField(label=_("Cumulative: most points on one project"), min_value=0,
                                                max_value=1000, required=False, help_text=_("0 for no cap."))
    rule = forms.ChoiceField(
        label=_("Counting rule"), choices=Budget.Rule.choices, widget=forms.RadioSelect,
        help_text=_("The Method of Equal Shares counts approval and knapsack ballots only."),
        error_messages={"required": _("Choose a counting rule.")})
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        ids = organisation.descendant_ids()
        self.fields["scope"].queryset = Organisation.objects.filter(
            pk__in=ids).filter(kind=Organisation.Kind.COMMUNE).exclude(pk=organisation.pk).order_by(
            "search_name", "name")
        if not self.fields["scope"].queryset.exists():
            del self.fields["scope"]

    def values(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) for name in (
            "name", "description", "amount", "ballot_kind", "rule")}
        values["max_choices"] = data.get("max_choices") or 0
        values["min_share"] = data.get("min_share") or 0
        values["points"] = data.get("points") or 10
        values["max_points_per_project"] = data.get("max_points_per_project") or 0
        if "scope" in self.fields:
            values["scope"] = data.get("scope")
        return values


class EvaluationForm(ServiceErrorsMixin, forms.Form):
    eligibility = forms.ChoiceField(label=_("Eligibility"), choices=Project.Eligibility.choices,
                                    widget=forms.RadioSelect, required=False)
    eligibility_reason = forms.CharField(
        label=_("Reason (when not eligible)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        max_length=ANSWER_MAX_LENGTH,
        help_text=_("Public: shown on the project's page. Required when the project is not eligible."))
    feasibility = forms.ChoiceField(label=_("Feasibility"), choices=Project.Feasibility.choices,
                                    widget=forms.RadioSelect, required=False)
    cost_estimate = _euros_field(_("Services' cost estimate (€)"),
                                 _("It becomes the final cost: the cost on the ballot and in the count."),
                                 required=False)
    notes = forms.CharField(label=_("Internal notes"), required=False, max_length=NOTES_MAX_LENGTH,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("Seen only by the team, never published."))
    public_answer = forms.CharField(
        label=_("Public answer"), required=False, max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Shown on the project's page; its author and followers are notified when it changes."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("eligibility") == Project.Eligibility.INELIGIBLE and not (
                cleaned.get("eligibility_reason") or "").strip():
            self.add_error("eligibility_reason", _("Give the reason why the project is not eligible: its author "
                                                   "and residents need to know it."))
        return cleaned


class MergeForm(ServiceErrorsMixin, forms.Form):
    into = forms.ModelChoiceField(
        label=_("Merge into"), queryset=Project.objects.none(), empty_label=_("Choose the project that goes on"),
        help_text=_("The project that goes on. This project will point to it and leave the vote."),
        error_messages={"required": _("Choose the project that goes on."),
                        "invalid_choice": _("Choose a project from the list.")})

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (Project.objects.filter(
            component_id=project.component_id, merged_into__isnull=True, withdrawn_at__isnull=True)
            .exclude(pk=project.pk).order_by("title"))


class ProgressForm(ServiceErrorsMixin, forms.Form):
    """News of a winning project: an update of its action in the kernel's decisions and actions."""

    stage = forms.ChoiceField(
        label=_("Stage"), widget=forms.RadioSelect, choices=Action.Stage.choices,
        error_messages={"required": _("Choose the stage of the action.")})
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                  error_messages={"required": _("The progress is a percentage, from 0 to 100.")})
    text = forms.CharField(label=_("News"), max_length=UPDATE_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           error_messages={"required": _("Write what changed.")},
                           help_text=_("What happened, what comes next. Its followers hear of each new stage."))
    works_start = forms.DateField(label=_("Works start"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    works_end = forms.DateField(label=_("Works end"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, 4):
            self.fields[f"photo_{number}"] = forms.ImageField(
                label=_("Photo %(number)s") % {"number": number}, required=False,
                help_text=_("JPEG, PNG or WebP, 5 MB at most."),
                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
                error_messages={"invalid_image": _("This file is not an image we accept. Send a JPEG, PNG or "
                                                   "WebP image.")})
            self.fields[f"photo_{number}_alt"] = forms.CharField(
                label=_("Description of photo %(number)s") % {"number": number}, required=False, max_length=200,
                help_text=_("What the photo shows, for people who cannot see it."))

    def clean(self):
        cleaned = super().clean()
        for number in range(1, 4):
            photo = cleaned.get(f"photo_{number}")
            if isinstance(photo, UploadedFile):
                try:
                    validate_image_upload(photo)
                except ValidationError as error:
                    self.add_error(f"photo_{number}", error.messages)
                    continue
                if not (cleaned.get(f"photo_{number}_alt") or "").strip():
                    self.add_error(f"photo_{number}_alt", _("Describe the photo for people who cannot see it."))
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        photos = [(data[f"photo_{n}"], data.get(f"photo_{n}_alt", "")) for n in range(1, 4)
                  if isinstance(data.get(f"photo_{n}"), UploadedFile)]
        return {"stage": data["stage"], "progress": data["progress"], "text": data["text"],
                "works_start": data.get("works_start"), "works_end": data.get("works_end"), "photos": photos}
