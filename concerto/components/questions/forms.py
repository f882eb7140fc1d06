from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.components.questions.models import OfficialProfile, Question
from concerto.core.participation.behalf import behalf_value
from concerto.core.uploads import validate_image_upload

MAYORS_OFFICE = ""


class AskForm(forms.Form):
    addressee = forms.ChoiceField(label=_("To whom"), required=False,
                                  help_text=_("An elected official by their delegation, or the mayor's office."))
    title = forms.CharField(label=_("Your question"), max_length=Question._meta.get_field("title").max_length,
                            help_text=_("One sentence, ending with a question mark."),
                            error_messages={"required": _("Write your question.")})
    text = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
                           max_length=Question._meta.get_field("text").max_length,
                           help_text=_("What the officials need to know to answer."))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.profiles = {str(p.pk): p for p in OfficialProfile.objects.filter(organisation=organisation,
                                                                              published=True)}
        self.fields["addressee"].choices = [(MAYORS_OFFICE, _("The mayor's office"))] + [
            (pk, profile.label) for pk, profile in self.profiles.items()]

    def values(self) -> dict:
        return {"title": self.cleaned_data["title"], "text": self.cleaned_data["text"],
                "addressee": self.profiles.get(self.cleaned_data["addressee"])} | behalf_value(self)


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Elected official who answers"), required=False)

    def __init__(self, *args, officials, **kwargs):
        super().__init__(*args, **kwargs)
        self.officials = {str(user.pk): user for user in officials}
        self.fields["assignee"].choices = [("", _("Nobody yet"))] + [
            (pk, user.public_name) for pk, user in self.officials.items()]


class DeadlineForm(forms.Form):
    due_at = forms.DateField(label=_("Answer due by"), widget=forms.DateInput(attrs={"type": "date"}),
                             error_messages={"required": _("Give the date of the deadline."),
                                             "invalid": _("Give a date, for example 31/12/2026.")})


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 10}),
                           max_length=Question._meta.get_field("answer_text").max_length)
    document = forms.FileField(label=_("Document"), required=False,
                               help_text=_("A PDF or an image, 10 MB at most."))
    video_url = forms.URLField(label=_("Video link"), required=False, max_length=500, assume_scheme="https",
                               help_text=_("The address of a video where the official answers."))
    event_url = forms.ChoiceField(label=_("Invite to an event"), required=False,
                                  help_text=_("One of the commune's coming events."))

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_url"].choices = [("", _("No event"))] + list(events)


class ProfileForm(forms.Form):
    user = forms.ChoiceField(label=_("Elected official's account"))
    name = forms.CharField(label=_("Name"), max_length=120)
    mandate = forms.CharField(label=_("Mandate"), max_length=200, help_text=_("For example: Deputy mayor."))
    delegations = forms.CharField(label=_("Delegations"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                  max_length=2000, help_text=_("One delegation per line, for example: Mobility."))
    photo = forms.ImageField(label=_("Photo"), required=False, help_text=_("JPEG, PNG or WebP, 5 MB at most."),
                             validators=[validate_image_upload])
    photo_alt = forms.CharField(label=_("Description of the photo"), required=False, max_length=200)
    published = forms.BooleanField(label=_("Show the profile on the public site"), required=False, initial=True)

    def __init__(self, *args, officials, **kwargs):
        super().__init__(*args, **kwargs)
        self.officials = {str(user.pk): user for user in officials}
        self.fields["user"].choices = [(pk, f"{user.public_name} · {user.email}")
                                       for pk, user in self.officials.items()]

    def values(self) -> dict:
        data = self.cleaned_data
        return {"user": self.officials[data["user"]], "name": data["name"], "mandate": data["mandate"],
                "delegations": data["delegations"], "photo": data.get("photo") or None,
                "photo_alt": data["photo_alt"], "published": data["published"]}
