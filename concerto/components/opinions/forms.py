"""The participant's statement form. The service, not the form, decides (empty, too long, already there)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concerto.components.opinions.services import STATEMENT_MAX_LENGTH


class StatementForm(forms.Form):
    # No max_length: the service says how long it was, in the same words for every channel.
    text = forms.CharField(label=_("Your statement"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = gettext(
            "One short idea that others can agree or disagree with, %(max)s characters at most.") % {
            "max": STATEMENT_MAX_LENGTH}
