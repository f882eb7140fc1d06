from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.core.participation.models import Comment, ModerationReport


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=Comment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Be courteous. Your public name is shown next to your comment."),
        error_messages={"required": _("Write your comment before sending it.")},
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write your comment before sending it."))
        return body


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should this content be checked?"), choices=ModerationReport.Reason.choices,
        widget=forms.RadioSelect, error_messages={"required": _("Choose a reason.")},
    )
    details = forms.CharField(
        label=_("Details"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything that helps the moderators understand the problem."),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding"), required=False, max_length=300,
        help_text=_("Seen by the team only."),
    )
