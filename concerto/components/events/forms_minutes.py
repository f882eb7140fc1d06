"""Forms of the pages after the event: minutes, their files, the quick entry of sticky notes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.components.events import minutes as services


class MinutesForm(forms.Form):
    use_required_attribute = False

    text = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 14}), max_length=services.TEXT_MAX_LENGTH,
        help_text=_("What was said, the answers given, what comes next. Leave a blank line between paragraphs."),
        error_messages={"required": _("Write the minutes: what was said and what comes next."),
                        "max_length": _("The minutes are too long: %(limit_value)s characters at most.")},
    )
    attendees_in_person = forms.IntegerField(
        label=_("Attendees in the room"), min_value=0, max_value=services.ATTENDEES_MAX,
        help_text=_("Prefilled with the people checked in at the door, walk-ins included. Correct it if "
                    "people came in without checking in."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Enter the number of attendees in the room (0 if none)."),
                        "invalid": _("Enter a whole number.")},
    )
    attendees_online = forms.IntegerField(
        label=_("Attendees online"), min_value=0, max_value=services.ATTENDEES_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Enter the number of attendees online (0 if none)."),
                        "invalid": _("Enter a whole number.")},
    )


class AttachmentForm(forms.Form):
    use_required_attribute = False

    title = forms.CharField(
        label=_("Title of the file"), max_length=services.ATTACHMENT_TITLE_MAX,
        help_text=_("For example “Slides of the meeting” or “Photo of the sticky-note board”."),
        error_messages={"required": _("Give the file a title, for example “Slides of the meeting”.")},
    )
    file = forms.FileField(
        label=_("File"), help_text=_("A PDF, or a JPEG, PNG or WebP image."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
        error_messages={"required": _("Choose a file to attach."), "empty": _("The file is empty."),
                        "invalid": _("Choose a file to attach.")},
    )


class StickyNoteForm(forms.Form):
    """One paper or sticky-note proposal: a short title and the text, typed quickly one after another."""

    use_required_attribute = False

    title = forms.CharField(
        label=_("Title"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
        help_text=_("A few words. If the note has no title, sum it up."),
        error_messages={"required": _("Give the proposal a title.")},
    )
    text = forms.CharField(
        label=_("Text of the note"), widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Type what the note says.")},
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=None, empty_label=_("No category"),
        error_messages={"invalid_choice": _("Choose one of the categories of the list.")},
    )

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        if categories is None or not categories.exists():
            del self.fields["category"]
        else:
            self.fields["category"].queryset = categories


class RespondentForm(forms.Form):
    """What the agent may know of the person who filled in a paper questionnaire: their commune."""

    use_required_attribute = False

    residence = forms.ModelChoiceField(
        label=_("Commune of residence of the person"), required=False, queryset=None,
        empty_label=_("Not given, or outside the Métropole"),
        help_text=_("Only if the paper says it: it shows where the answers come from."),
        error_messages={"invalid_choice": _("Choose a commune of the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from concerto.core.territory.models import Organisation

        self.fields["residence"].queryset = Organisation.objects.communes().order_by("name")
        self.fields["residence"].label_from_instance = lambda commune: commune.name
