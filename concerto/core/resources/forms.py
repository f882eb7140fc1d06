"""The resource centre's forms: they parse input; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.core.resources.models import Guide, ProcessTemplate
from concerto.core.spaces.forms import DATE_WIDGET, SpaceForm


class TemplatePublishForm(forms.Form):
    """A template made from a space: its name and what it is for, a guidance text per step of the space."""

    name = forms.CharField(label=_("Name of the template"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300,
                              help_text=_("One or two sentences: what the template is for."))
    kind = forms.ChoiceField(label=_("Kind of process"), choices=ProcessTemplate.Kind.choices)
    audience = forms.ChoiceField(label=_("Audience"), choices=ProcessTemplate.Audience.choices)
    guides = forms.ModelMultipleChoiceField(label=_("Guides"), queryset=Guide.objects.filter(published=True),
                                            required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.step_fields = []
        for number, step in enumerate(steps):
            name = f"guidance_{number}"
            self.fields[name] = forms.CharField(
                label=_("Advice for the step “%(title)s”") % {"title": step.title}, required=False,
                max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("What an agent should know to run this step (optional)."))
            self.step_fields.append(name)

    def values(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("name", "summary", "kind", "audience", "guides")}
        data["guidance"] = [self.cleaned_data[name] for name in self.step_fields]
        return data


class SpaceFromTemplateForm(forms.Form):
    # The space's own fields, as its back-office form words them (each form instance copies them).
    title = SpaceForm.base_fields["title"]
    slug = SpaceForm.base_fields["slug"]
    start_date = forms.DateField(label=_("Start date"), widget=DATE_WIDGET,
                                 help_text=_("The steps are dated from this day."))


class GuideForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False)
    topic = forms.ChoiceField(label=_("Topic"), choices=Guide.Topic.choices)
    body = forms.CharField(label=_("Text"), max_length=40000, widget=forms.Textarea(attrs={"rows": 16}),
                           help_text=_("Paragraphs, lists, emphasis and links are kept."))
    published = forms.BooleanField(label=_("Published"), required=False, initial=True)
