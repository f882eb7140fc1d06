"""The resource centre's forms: they parse input; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.core.resources.models import Guide, NetworkQuestion, ProcessTemplate, SharedExample
from concerto.core.spaces.forms import DATE_WIDGET, SpaceForm
from concerto.core.spaces.models import Topic


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


class ExampleShareForm(forms.Form):
    text = forms.CharField(
        label=_("What worked, what to avoid, figures"), max_length=SharedExample._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("For the agents of other communes, and shown on the resource centre's public page: no names."),
        error_messages={"required": _("Say what worked, what to avoid, and a few figures.")})
    kind = forms.ChoiceField(label=_("Kind of process"), choices=ProcessTemplate.Kind.choices)
    topics = forms.ModelMultipleChoiceField(label=_("Topics"), queryset=Topic.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple)


class NetworkQuestionForm(forms.Form):
    title = forms.CharField(label=_("Your question"), max_length=NetworkQuestion._meta.get_field("title").max_length,
                            help_text=_("One sentence; the agents of every commune of the Métropole read it."),
                            error_messages={"required": _("Write your question.")})
    body = forms.CharField(label=_("Details"), required=False,
                           max_length=NetworkQuestion._meta.get_field("body").max_length,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("Your context: the commune, the process, what you tried (optional)."))
