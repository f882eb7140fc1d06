"""Forms of the pages after the event: minutes and their files. The forms of the contributions typed in from
the room belong to the components that take them (their manifest's RoomEntry)."""

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
