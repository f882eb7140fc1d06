"""Proposals written on paper or sticky notes at a meeting, typed in afterwards by an organiser: the form and the
service behind the manifest's RoomEntry (the events component offers them without importing this module)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from concerto.components.proposals.services import ProposalError, proposal_create
from concerto.core.participation.models import Channel

CONTRIBUTION_KIND = "proposals.proposal"


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

    def room_values(self) -> dict:
        return dict(self.cleaned_data)


def room_form(component, data=None) -> StickyNoteForm:
    return StickyNoteForm(data, categories=component.proposal_categories.all())


def room_proposal_record(*, actor, component, day, title: str, text: str, category=None):
    """A proposal from a room: anonymous (the person in the room did not sign in; ACTOR only typed it), marked
    with the in-person channel and counted like any other. DAY is not used: a proposal is dated when typed."""
    try:
        return proposal_create(author=None, component=component, title=title, text=text, category=category,
                               channel=Channel.IN_PERSON)
    except ProposalError as error:
        raise ValidationError(error.message) from None
