"""Forms of the vote pages and of the paper ballots' double entry. They only read what was sent: the rules of a
ballot (budget, k, points) are checked by ballots.ballot_check, the same for the web, the API and paper."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.components.budgets.models import Budget
from concerto.core.accounts.verification import parse_birth_date

CHOICES_FIELD = "projets"


def points_field(prefix: str, project) -> str:
    return f"{prefix}points-{project.pk}"


class ChoicesMixin:
    """The projects of a ballot as form fields: one list of checkboxes (approval, knapsack) or one whole number
    per project (cumulative)."""

    def add_choice_fields(self, budget: Budget, projects):
        self.budget, self.projects = budget, list(projects)
        self.cumulative = budget.ballot_kind == Budget.BallotKind.CUMULATIVE
        if self.cumulative:
            for project in self.projects:
                self.fields[f"points-{project.pk}"] = forms.IntegerField(
                    label=project.title, required=False, min_value=0, max_value=32767,
                    error_messages={"invalid": _("Enter a whole number of points."),
                                    "min_value": _("Points cannot be negative."),
                                    "max_value": _("This is too many points.")},
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
        else:
            self.fields[CHOICES_FIELD] = forms.TypedMultipleChoiceField(
                label=_("Projects"), required=False, coerce=int,
                choices=[(project.pk, f"{project.ballot_number}. {project.title}" if project.ballot_number
                          else project.title) for project in self.projects],
                error_messages={"invalid_choice": _("Choose projects of the list.")},
                widget=forms.CheckboxSelectMultiple)

    def chosen(self) -> dict[int, int]:
        """{project id: points} of a valid form."""
        if self.cumulative:
            return {project.pk: self.cleaned_data.get(f"points-{project.pk}") or 0 for project in self.projects
                    if self.cleaned_data.get(f"points-{project.pk}")}
        return {project_id: 1 for project_id in self.cleaned_data.get(CHOICES_FIELD) or []}

    def raw_chosen(self) -> dict[int, int]:
        """What was ticked or typed, even when the form is not valid (to keep it on the page)."""
        data = self.data
        if self.cumulative:
            values = {}
            for project in self.projects:
                raw = (data.get(self.add_prefix(f"points-{project.pk}")) or "").strip()
                if raw.isdigit() and len(raw) < 6 and int(raw):
                    values[project.pk] = int(raw)
            return values
        ids = {project.pk for project in self.projects}
        return {int(value): 1 for value in data.getlist(self.add_prefix(CHOICES_FIELD))
                if value.isdigit() and len(value) < 12 and int(value) in ids}


class BallotForm(ChoicesMixin, forms.Form):
    def __init__(self, *args, budget: Budget, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_choice_fields(budget, projects)


class PaperEntryForm(ChoicesMixin, forms.Form):
    """One agent's keying of one paper sheet: where it comes from, who voted (hashed at once), their choices."""

    polling_station = forms.CharField(
        label=_("Polling station"), max_length=100,
        error_messages={"required": _("Enter the polling station.")})
    sheet_number = forms.CharField(
        label=_("Sheet number"), max_length=40, help_text=_("As written on the sheet."),
        error_messages={"required": _("Enter the sheet number.")})
    last_name = forms.CharField(
        label=_("Voter's last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Enter the voter's last name.")})
    first_name = forms.CharField(
        label=_("Voter's first name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Enter the voter's first name.")})
    birth_date = forms.CharField(
        label=_("Voter's date of birth"), max_length=20, help_text=_("For example 17/05/1990."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        error_messages={"required": _("Enter the voter's date of birth.")})

    def __init__(self, *args, budget: Budget, projects, **kwargs):
        super().__init__(*args, **kwargs)
        from concerto.components.budgets.paper import paper_communes

        communes = paper_communes(budget)
        if communes.exists():
            # A territory's budget: the voter's commune salts their identity as their online verification did.
            self.fields["commune"] = forms.ModelChoiceField(
                label=_("Voter's commune"), queryset=communes,
                error_messages={"required": _("Choose the commune where the voter lives."),
                                "invalid_choice": _("Choose the commune where the voter lives.")})
            self.order_fields(["polling_station", "sheet_number", "last_name", "first_name", "birth_date",
                               "commune"])
        self.add_choice_fields(budget, projects)
        if not self.cumulative:
            self.fields[CHOICES_FIELD].label = _("Projects ticked on the sheet")

    def clean_birth_date(self):
        value = parse_birth_date(self.cleaned_data["birth_date"])
        if value is None:
            raise forms.ValidationError(_("Enter a real date of birth, for example 17/05/1990."))
        return value

    def clean(self):
        for name in ("polling_station", "sheet_number", "last_name", "first_name"):
            if name in self.cleaned_data and "\x00" in self.cleaned_data[name]:
                self.add_error(name, _("This value has characters that are not allowed."))
        return self.cleaned_data
