"""The agents' forms: a decision, the answer to a contribution, an action, its updates and photos."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.core.accountability.models import Action, Decision, DecisionLink
from concerto.core.forms import date_field
from concerto.core.maps import PointField
from concerto.core.uploads import ImageWithAltFormMixin


def _date(label, required=False):
    return date_field(label, required)


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.ChoiceField(label=_("Decided by"), choices=Decision.Body.choices)
    decided_on = _date(_("Date of the decision"), required=True)
    space = forms.ModelChoiceField(label=_("Space"), queryset=None, required=False,
                                   help_text=_("The participation space the decision follows up, if any."))
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}), required=False,
                           max_length=20000)
    deliberation_number = forms.CharField(label=_("Deliberation number"), max_length=50, required=False)
    document = forms.FileField(label=_("Deliberation (PDF)"), required=False,
                               help_text=_("A PDF of 10 MB at most."))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        from concerto.core.spaces.models import Space

        self.fields["space"].queryset = Space.objects.filter(organisation=organisation).order_by("title")

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("document"):
            data.pop("document", None)
        return data


class LinkSearchForm(forms.Form):
    """The picker: a search form that works without JavaScript (GET)."""

    q = forms.CharField(label=_("Search contributions"), max_length=200, required=False,
                        help_text=_("Words of the title or text, or a number."))
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *kinds]


class LinkForm(forms.Form):
    content_type = forms.IntegerField(widget=forms.HiddenInput)
    object_id = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Answer"), choices=DecisionLink.Status.choices)
    explanation = forms.CharField(label=_("Public explanation"), max_length=500,
                                  help_text=_("One or two sentences residents will read."))


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}),
                                  required=False, max_length=10000)
    stage = forms.ChoiceField(label=_("Stage"), choices=Action.Stage.choices)
    abandon_reason = forms.CharField(label=_("Reason for abandoning"), max_length=500, required=False)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100, initial=0)
    budget_planned = forms.DecimalField(label=_("Planned budget (€)"), min_value=0, max_digits=14,
                                        decimal_places=2, required=False)
    budget_spent = forms.DecimalField(label=_("Budget spent (€)"), min_value=0, max_digits=14, decimal_places=2,
                                      required=False)
    planned_start = _date(_("Planned start"))
    planned_end = _date(_("Planned end"))
    actual_start = _date(_("Actual start"))
    actual_end = _date(_("Actual end"))
    service = forms.CharField(label=_("Responsible service"), max_length=200, required=False)
    location = PointField(label=_("Place on the map"), required=False)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        point = data.pop("location", None)
        data["latitude"], data["longitude"] = (point[0], point[1]) if point else (None, None)
        data["address"] = getattr(point, "address", "") if point else ""
        return data


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("What changed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    stage = forms.ChoiceField(label=_("Stage"), choices=[("", _("Unchanged")), *Action.Stage.choices],
                              required=False)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100, required=False)


class PhotoForm(ImageWithAltFormMixin, forms.Form):
    image = forms.ImageField(label=_("Photo"))
    image_alt = forms.CharField(label=_("Description of the photo"), max_length=250, required=False)
