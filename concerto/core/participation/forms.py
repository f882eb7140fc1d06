from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.core.maps import PointField
from concerto.core.participation.models import Comment, CommentVote, ModerationReport


class CommentForm(forms.Form):
    """A comment, or a reply when `parent` names the comment answered (each reply form under a comment of
    the thread is written out in _comments.html with the same field names). STANCES offers the
    for / against / neutral choice (top-level comments on a target whose model opts in)."""

    body = forms.CharField(
        label=_("Your comment"), max_length=Comment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Be courteous. Your public name is shown next to your comment."),
        error_messages={"required": _("Write your comment before sending it.")},
    )
    stance = forms.ChoiceField(
        label=_("Your position"), required=False, choices=Comment.Stance.choices, widget=forms.RadioSelect,
        help_text=_("Say whether you are for or against, or neutral, if you wish."),
        error_messages={"invalid_choice": _("Choose for, against or neutral.")},
    )
    parent = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, stances: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not stances:
            del self.fields["stance"]

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write your comment before sending it."))
        return body

    def clean_parent(self):
        raw = (self.cleaned_data.get("parent") or "").strip()
        if not raw:
            return None
        parent = Comment.objects.select_related("parent").filter(pk=int(raw)).first() \
            if raw.isdigit() and len(raw) < 18 else None
        if parent is None:
            raise forms.ValidationError(_("The comment you are replying to does not exist."))
        return parent

    def clean(self):
        cleaned = super().clean()
        # A hidden field has nowhere to show its error: say it above the form instead.
        if "parent" in self.errors:
            self.add_error(None, self.errors.pop("parent"))
        if "stance" not in self.fields and self.data.get(self.add_prefix("stance")):
            self.add_error(None, _("A reply does not take a stance: only comments do.")
                           if self.data.get(self.add_prefix("parent")) else _("Stances are not offered here."))
        return cleaned


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should this content be checked?"), choices=ModerationReport.Reason.choices,
        widget=forms.RadioSelect, error_messages={"required": _("Choose a reason.")},
    )
    details = forms.CharField(
        label=_("Details"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything that helps the moderators understand the problem."),
    )


class CommentVoteForm(forms.Form):
    value = forms.TypedChoiceField(
        coerce=int, choices=[(str(value), label) for value, label in CommentVote.Value.choices],
        error_messages={"required": _("Choose “agree” or “disagree”."),
                        "invalid_choice": _("Choose “agree” or “disagree”.")},
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding"), required=False, max_length=300,
        help_text=_("Seen by the team only."),
    )


class PlaceFollowForm(forms.Form):
    """A place to follow: an address or a point of the Métropole, and how far around it."""

    location = PointField(label=_("Place"), help_text=_("An address, or a point on the map."))
    radius = forms.TypedChoiceField(
        label=_("Around it, within"), coerce=int, initial=1000,
        choices=[(300, _("300 m (the street)")), (1000, _("1 km (the neighbourhood)")),
                 (2000, _("2 km")), (5000, _("5 km"))])


class NewsletterForm(forms.Form):
    """An organisation's newsletter (participation/newsletters.py): the service checks the rest."""

    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("Paragraphs, bold, lists and links are kept (HTML or plain text)."))
    blocks = forms.MultipleChoiceField(label=_("Blocks under the text"), required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text=_("Spaces, upcoming events and open polls of the organisation."))
    to_followers = forms.BooleanField(label=_("Followers of the organisation and of its spaces"), required=False)
    topics = forms.ModelMultipleChoiceField(label=_("Followers of these topics"), required=False,
                                            queryset=None, widget=forms.CheckboxSelectMultiple)
    to_places = forms.BooleanField(label=_("People following a place in the commune"), required=False)

    def __init__(self, *args, block_choices=(), **kwargs):
        from concerto.core.spaces.models import Topic

        super().__init__(*args, **kwargs)
        self.fields["blocks"].choices = [(choice["key"], f"{choice['title']} ({choice['text']})" if choice["text"]
                                          else choice["title"]) for choice in block_choices]
        self.fields["topics"].queryset = Topic.objects.order_by("position", "name")

    def newsletter_values(self) -> dict:
        data = self.cleaned_data
        return {"subject": data["subject"], "body": data["body"], "block_keys": data["blocks"],
                "to_followers": data["to_followers"], "to_places": data["to_places"], "topics": list(data["topics"])}
