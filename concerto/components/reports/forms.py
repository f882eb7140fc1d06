from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.components.reports.models import Category, CategoryQuestion, Report
from concerto.components.reports.services import DESCRIPTION_MAX_LENGTH, categories_at
from concerto.core.inputs import EmailFormField
from concerto.core.maps import PointField
from concerto.core.participation.behalf import FIELD as BEHALF_FIELD
from concerto.core.participation.behalf import behalf_value

OUTSIDE = _("This point is outside the Métropole du Grand Paris.")


class KindSelect(forms.RadioSelect):
    option_template_name = "reports/_kind_option.html"


def organisation_categories(organisation):
    ids = {organisation.pk} | set(organisation.descendant_ids())
    return Category.objects.filter(organisation_id__in=ids, active=True).select_related("organisation")


class ReportForm(forms.Form):
    """Send a report. A plain form: report_create checks everything again and writes it."""

    kind = forms.ChoiceField(
        label=_("What do you want to do?"), choices=Report.Kind.choices, widget=KindSelect,
        initial=Report.Kind.MALFUNCTION, error_messages={"required": _("Choose what you want to do.")},
    )
    location = PointField(
        label=_("Where?"), error_messages={"outside": OUTSIDE},
        help_text=_("Use your position, tap the map, or enter the latitude and longitude in decimal degrees "
                    "(for example 48.7786 and 2.2906)."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=_("Choose a category"),
        error_messages={"required": _("Choose a category."),
                        "invalid_choice": _("Choose one of the categories of the list.")},
    )
    description = forms.CharField(
        label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is the problem, or what do you propose? Do not write personal information."),
    )
    photo_1 = forms.FileField(label=pgettext_lazy("report form", "Photo 1"), required=False)
    photo_2 = forms.FileField(label=pgettext_lazy("report form", "Photo 2"), required=False)
    photo_3 = forms.FileField(label=pgettext_lazy("report form", "Photo 3"), required=False)
    email = EmailFormField(
        label=_("Your email address"), required=False,
        help_text=_("To follow your report. It is never shown publicly."),
        error_messages={"invalid": _("Enter a valid email address, such as name@example.org.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, component, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.component = component
        organisation = component.space.organisation
        self.fields["location"].within = organisation
        self.fields["location"].error_messages["outside_within"] = _(
            "This point is outside %(name)s: reports here go to another commune.")
        if component.setting("kinds") == "malfunction":
            self.fields["kind"].choices = [c for c in Report.Kind.choices if c[0] == Report.Kind.MALFUNCTION]
        # Without JavaScript, every category of the organisation; once the point is known, its commune's.
        # The service refuses, with a clear message, a category that is not the point's commune's.
        categories = organisation_categories(organisation)
        field = self.fields["category"]
        field.queryset = categories
        shown = list(categories)
        self.point = self._point_from_data()
        if self.point is not None:
            local = categories_at(latitude=self.point[0], longitude=self.point[1]).values_list("pk", flat=True)
            local_ids = set(local)
            if local_ids:
                shown = [category for category in shown if category.pk in local_ids]
        label = self._category_label(shown)
        field.label_from_instance = label
        field.widget.choices = [("", field.empty_label)] + [(category.pk, label(category)) for category in shown]
        for name in ("photo_1", "photo_2", "photo_3"):
            self.fields[name].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        self.fields["photo_1"].help_text = _("Up to 3 photos, JPEG, PNG or WebP, 10 MB each at most. Avoid faces "
                                             "and number plates.")
        if user.is_authenticated:
            del self.fields["email"]
        else:
            self.fields["email"].required = True
            self.fields["email"].error_messages["required"] = _(
                "Give an email address to follow your report, or sign in.")
        self.category = self._category_from_data()
        self.questions = list(self.category.questions.all()) if self.category else []
        for question in self.questions:
            self.fields[f"q_{question.code}"] = question_field(question)

    @staticmethod
    def _category_label(categories):
        several = len({c.organisation_id for c in categories}) > 1

        def label(category):
            return f"{category.name} ({category.organisation.name})" if several else category.name
        return label

    def _point_from_data(self):
        if not self.is_bound:
            return None
        try:
            return self.fields["location"].to_python(
                self.fields["location"].widget.value_from_datadict(self.data, self.files, self.add_prefix("location")))
        except forms.ValidationError:
            return None

    def _category_from_data(self):
        value = self.data.get(self.add_prefix("category")) if self.is_bound else None
        if not value or not str(value).isdigit() or len(str(value)) > 12:
            return None
        return organisation_categories(self.component.space.organisation).filter(pk=int(value)).first()

    def question_fields(self):
        return [self[f"q_{question.code}"] for question in self.questions]

    def other_fields(self):
        return [self[name] for name in ("description", "photo_1", "photo_2", "photo_3", "email", BEHALF_FIELD)
                if name in self.fields and not self[name].is_hidden]

    def clean(self):
        cleaned = super().clean()
        photos = [cleaned.get(name) for name in ("photo_1", "photo_2", "photo_3")]
        cleaned["photos"] = [photo for photo in photos if photo]
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        latitude, longitude = data["location"]
        answers = {question.code: data.get(f"q_{question.code}") for question in self.questions}
        return {"kind": data["kind"], "category": data["category"], "latitude": latitude, "longitude": longitude,
                "address": getattr(data["location"], "address", ""), "description": data.get("description", ""),
                "answers": answers, "photos": data["photos"], "email": data.get("email", "")} | behalf_value(self)

    def add_service_errors(self, error) -> None:
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            if field == "photos":
                target = "photo_1"
            for message in messages:
                self.add_error(target, message)


def question_field(question: CategoryQuestion) -> forms.Field:
    """A form field for an extra question; its type is checked again by answers_clean."""
    kind = question.datatype
    common = {"label": question.label, "required": question.required,
              "error_messages": {"required": _("Answer this question: %(label)s") % {"label": question.label}}}
    options = [(str(option.get("key")), option.get("name") or option.get("key")) for option in question.options or []]
    if kind == "number":
        return forms.FloatField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if kind == "datetime":
        return forms.CharField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if kind == "singlevaluelist":
        return forms.ChoiceField(choices=[("", _("Choose an answer"))] + options, **common)
    if kind == "multivaluelist":
        return forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
    if kind == "text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=3000, **common)
    return forms.CharField(max_length=300, **common)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The service reads it to take the report up again; it appears in the public history."),
        error_messages={"required": _("Say what is still wrong: the service reads it to take the report up "
                                      "again.")})


class SupportForm(forms.Form):
    email = EmailFormField(
        label=_("Your email address"), help_text=_("To be told what becomes of this report. Never shown publicly."),
        error_messages={"required": _("Give an email address to follow this report, or sign in."),
                        "invalid": _("Enter a valid email address, such as name@example.org.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class FilterForm(forms.Form):
    PERIODS = (("", _("Any time")), ("7", _("Last 7 days")), ("30", _("Last 30 days")), ("365", _("Last 12 months")))

    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds"))] + Report.Kind.choices)
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), ("open", pgettext_lazy("report status", "Open")),
                                        *Report.Status.choices])
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIODS)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        names = sorted({c.name for c in categories})
        self.fields["category"].choices = [("", _("All categories"))] + [(name, name) for name in names]

    def filters(self) -> dict:
        if not self.is_valid():
            return {"kind": "", "category": "", "status": "", "period": ""}
        return {key: self.cleaned_data.get(key) or "" for key in ("kind", "category", "status", "period")}
