"""Back-office forms for spaces, steps and components. They parse input; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.core import registry
from concerto.core.spaces.models import Space, Step, Topic
from concerto.core.spaces.services import step_settings_key
from concerto.core.uploads import validate_image_upload

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


class SpaceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Web address"), max_length=100, required=False,
        help_text=_("The end of the space's address, in lowercase letters, digits and hyphens. "
                    "Leave empty to make it from the title."),
    )
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False,
                              help_text=_("One or two sentences shown on the cards."))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What is decided, by whom, when, and how residents can take part. "
                    "Needed before publishing."),
    )
    image = forms.FileField(
        label=_("Image"), required=False, validators=[validate_image_upload],
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=_("JPEG, PNG or WebP, 5 MB at most."),
    )
    image_alt = forms.CharField(label=_("Image description"), max_length=200, required=False,
                                help_text=_("Describe the image for people who cannot see it."))
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DATE_WIDGET)
    scope = forms.ModelMultipleChoiceField(
        label=_("Communes concerned"), required=False, queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked if the space concerns the whole organisation."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), required=False, queryset=Topic.objects.all(), widget=forms.CheckboxSelectMultiple,
        help_text=_("What the space is about: people who follow or subscribe to these topics hear of it."),
    )

    def __init__(self, *args, space: Space, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = space.allowed_scope()
        if space.pk is None:
            self.fields["image"].widget = forms.FileInput(attrs={"accept": IMAGE_ACCEPT})

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("image") and not self.cleaned_data.get("image_alt"):
            # An image without a description is invisible to screen reader users.
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        return cleaned

    @staticmethod
    def initial_for(space: Space) -> dict:
        return {
            "title": space.title, "slug": space.slug, "summary": space.summary,
            "description": space.description, "image": space.image or None, "image_alt": space.image_alt,
            "start_date": space.start_date, "end_date": space.end_date, "scope": list(space.scope.all()),
            "topics": list(space.topics.all()),
        }


class StepForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    start_date = forms.DateField(label=_("Start date"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("End date"), widget=DATE_WIDGET)

    @staticmethod
    def initial_for(step: Step) -> dict:
        return {"title": step.title, "description": step.description,
                "start_date": step.start_date, "end_date": step.end_date}


class ComponentAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=(), widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("Shown to residents, for example “News of the project”."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = registry.choices()


def setting_field(setting: registry.Setting) -> forms.Field:
    """The form field for one typed setting of a manifest."""
    common = {"label": setting.label or setting.name, "help_text": setting.help_text, "required": False}
    if setting.type is bool:
        return forms.BooleanField(**common)
    if setting.type is int:
        return forms.IntegerField(min_value=setting.min_value, max_value=setting.max_value, **common)
    if setting.choices:
        return forms.ChoiceField(choices=setting.choices, **common)
    return forms.CharField(**common)


class ComponentSettingsForm(forms.Form):
    """The component's title, its global settings, then each step's settings, from its manifest."""

    title = forms.CharField(label=_("Title"), max_length=200)

    # The steps the page showed, sent back with the form: a step added meanwhile (by a colleague) is left out
    # of what is saved instead of having its yes/no settings read as "off" (a partial update keeps what it
    # does not name).
    steps_shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, component, steps, **kwargs):
        super().__init__(*args, **kwargs)
        manifest = component.manifest
        self.steps = list(steps)
        shown = self.data.get("steps_shown") if self.is_bound else None
        if shown is not None:
            ids = {part.strip() for part in shown.split(",")}
            self.steps = [step for step in self.steps if str(step.pk) in ids]
        self.initial["steps_shown"] = ",".join(str(step.pk) for step in self.steps)
        self.global_names = []
        for setting in manifest.settings:
            self.fields[setting.name] = setting_field(setting)
            self.fields[setting.name].initial = manifest.settings_for(component)[setting.name]
            self.global_names.append(setting.name)
        self.step_names = []
        for step in self.steps:
            values = manifest.step_settings_for(component, step)
            names = []
            for setting in manifest.step_settings:
                key = step_settings_key(step, setting.name)
                self.fields[key] = setting_field(setting)
                self.fields[key].initial = values[setting.name]
                names.append(key)
            self.step_names.append((step, names))
        self.initial.setdefault("title", component.title)
        if manifest.actions:
            self.fields["verified_actions"] = forms.MultipleChoiceField(
                label=_("Reserved to verified residents"), required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(action.name, action.label) for action in manifest.actions],
                help_text=_("Residents prove where they live by the census list, a code sent to them, or at a "
                            "desk. Those who are not verified see why, and where to verify."))
            self.initial.setdefault("verified_actions", list(component.verified_actions or []))
        self.manifest = manifest

    def groups(self):
        """(legend, bound fields) for each fieldset of the page; the first has no legend."""
        first = [self["title"], *(self[name] for name in self.global_names)]
        if "verified_actions" in self.fields:
            first.append(self["verified_actions"])
        yield None, first
        for step, names in self.step_names:
            if names:
                yield step, [self[name] for name in names]

    def settings_values(self) -> tuple[dict, dict]:
        """The cleaned values as (settings, step settings) for component_update_settings."""
        data = self.cleaned_data
        settings = {s.name: data.get(s.name) for s in self.manifest.settings}
        step_settings = {
            str(step.pk): {s.name: data.get(step_settings_key(step, s.name))
                           for s in self.manifest.step_settings}
            for step in self.steps
        }
        return settings, step_settings
