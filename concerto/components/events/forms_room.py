"""Forms of the door (check-in, walk-ins) and of the live board."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.components.events.models import BoardPost, Registration
from concerto.components.events.room import BOARD_TEXT_MAX


class CheckinForm(forms.Form):
    code = forms.CharField(
        label=_("Ticket code"), max_length=40, help_text=_("The 8 characters under the QR code, e.g. ABCD EFGH."),
        error_messages={"required": _("Type the code of the ticket.")},
        widget=forms.TextInput(attrs={
            "autofocus": True, "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
            "class": "checkin-code", "inputmode": "text"}),
    )
    admit = forms.BooleanField(required=False, widget=forms.HiddenInput)
    over_capacity = forms.BooleanField(required=False, widget=forms.HiddenInput)


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("First name (optional)"), max_length=150, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    attendance = forms.ChoiceField(label=_("Attends"), choices=Registration.Attendance.choices,
                                   initial=Registration.Attendance.IN_PERSON, widget=forms.RadioSelect)
    over_capacity = forms.BooleanField(
        label=_("Admit over capacity"), required=False,
        help_text=_("Only if the event is full and you decide to let this person in anyway."))


class BoardPostForm(forms.Form):
    kind = forms.ChoiceField(label=_("You send"), choices=BoardPost.Kind.choices, initial=BoardPost.Kind.QUESTION,
                             widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Your message"), max_length=BOARD_TEXT_MAX,
        help_text=_("At most 280 characters. Plain text: links and formatting are not shown."),
        error_messages={"required": _("Write your question or your opinion."),
                        "max_length": _("At most %(limit_value)d characters (you wrote %(show_value)d).")},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": BOARD_TEXT_MAX}),
    )


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)
