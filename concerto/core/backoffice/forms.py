"""Back-office forms for the team and the organisation's settings. They parse input; services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from concerto.core.accounts.models import Role
from concerto.core.inputs import EmailFormField
from concerto.core.uploads import validate_image_upload


class RoleGrantForm(forms.Form):
    email = EmailFormField(
        label=_("Email address of the person"), widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("The person must already have an account on the platform."),
    )
    kind = forms.ChoiceField(label=_("Role"), choices=Role.Kind.choices, widget=forms.RadioSelect)

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("No account uses this email address. Ask the person to create an account first, "
                  "then add the role."))
        self.cleaned_data["user"] = user
        return email


class DeskEnrolmentForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown by the person's authenticator app"), max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        help_text=_("The person types it themselves, in front of you, from the app they just set up."),
    )


class OrganisationSettingsForm(forms.Form):
    description = forms.CharField(
        label=_("Presentation"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Shown at the top of the organisation's page."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https",
                             widget=forms.URLInput(attrs={"autocomplete": "url"}))
    contact_email = EmailFormField(label=_("Contact email"), required=False)
    logo = forms.FileField(
        label=_("Logo"), required=False, validators=[validate_image_upload],
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, 5 MB at most. Shown in the header of the organisation's pages."),
    )
    accent_color = forms.CharField(
        label=_("Accent colour"), required=False, max_length=7,
        widget=forms.TextInput(attrs={"pattern": "#[0-9a-fA-F]{6}", "spellcheck": "false"}),
        help_text=_("A colour such as #1f4e8c, used for the header and the buttons. White text must be "
                    "readable on it (contrast of at least 4.5:1)."),
    )
    open_data_licence = forms.ChoiceField(
        label=_("Licence of the open data"), required=False,
        choices=[("etalab-2.0", "Licence Ouverte 2.0"), ("odbl-1.0", "ODbL 1.0")],
        help_text=_("The licence of the organisation's datasets on the open-data portal (/donnees/)."),
    )
    elected_personal_data = forms.BooleanField(
        label=_("Elected officials see personal data and the audit log"), required=False,
        help_text=_("Elected officials always read the lists, figures and results of the back-office. Tick to "
                    "also show them the names, emails and answers of registrants and the audit log."),
    )

    comparison_named = forms.BooleanField(
        label=_("Name the organisation in the comparison across communes"), required=False,
        help_text=_("The comparison page (/metropole/comparaison/) shows everyone the figures of every commune. "
                    "Tick to show this organisation's name there; otherwise others read « Commune anonyme » and its "
                    "rank, and only its own staff see its name."),
    )

    asks_activity = forms.BooleanField(
        label=_("Ask residents their activity"), required=False,
        help_text=_("On the profile, the residents of the commune may then say their activity (in work, "
                    "unemployed, student, retired, other inactive), optionally, under the same consent as their "
                    "age."))

    @staticmethod
    def initial_for(organisation) -> dict:
        return {
            "description": organisation.description, "website": organisation.website,
            "contact_email": organisation.contact_email, "logo": organisation.logo or None,
            "accent_color": organisation.accent_color, "elected_personal_data": organisation.elected_personal_data,
            "open_data_licence": organisation.open_data_licence, "comparison_named": organisation.comparison_named,
            "asks_activity": organisation.asks_activity,
        }
