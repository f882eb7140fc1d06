"""Forms of resident verification: the resident's pages and the agents' back-office pages."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from concerto.core.accounts.models import User
from concerto.core.accounts.verification import parse_birth_date
from concerto.core.inputs import EmailFormField

MAX_CENSUS_BYTES = 50 * 1024 * 1024


class BirthDateField(forms.CharField):
    """A date of birth typed as 14/07/1985 (a date picker is slow for a date decades ago)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Date of birth"))
        kwargs.setdefault("help_text", _("For example 14/07/1985."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "bday", "size": "10"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        date = parse_birth_date(value)
        if date is None:
            raise forms.ValidationError(
                _("Enter a real date of birth as day/month/year, for example 14/07/1985."), code="invalid")
        return date


class IdentityForm(forms.Form):
    last_name = forms.CharField(label=_("Last name"), max_length=100,
                                help_text=_("As on your identity document."))
    first_name = forms.CharField(label=_("First name"), max_length=100,
                                 help_text=_("As on your identity document. If you have several, type them all."))
    birth_date = BirthDateField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_name"].widget.attrs.update({"autocomplete": "family-name", "spellcheck": "false"})
        self.fields["first_name"].widget.attrs.update({"autocomplete": "given-name", "spellcheck": "false"})

    def clean(self):
        from concerto.core.accounts.verification.identity import _normalise

        data = super().clean()
        for name in ("last_name", "first_name"):
            if data.get(name) and not _normalise(data[name]):
                self.add_error(name, _("Type letters."))
        return data

    def identity(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("last_name", "first_name", "birth_date")}


class SmsCodeRequestForm(IdentityForm):
    phone = forms.CharField(label=_("Mobile phone number"), max_length=30,
                            help_text=_("We send the code there. For example 06 12 34 56 78."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel"})


class PostCodeRequestForm(IdentityForm):
    postal_address = forms.CharField(
        label=_("Postal address"), max_length=500,
        help_text=_("Number and street, then postcode and town, in your commune. The letter is addressed to "
                    "the name above."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}))


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=12, help_text=_("The 6 digits you received."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "one-time-code", "inputmode": "numeric",
                                                 "size": "8"})

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("The code has 6 digits."), code="invalid")
        return code


class CommuneChoiceForm(forms.Form):
    commune = forms.ChoiceField(label=_("Your commune"))

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", _("Choose your commune"))] + [(c.slug, c.name) for c in communes]


# Back-office ----------------------------------------------------------------------------------------

class CensusUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Census list (CSV file)"),
        help_text=_("One person per line with their last name, first name and date of birth; the first line "
                    "names the columns (for example “nom;prénom;date de naissance”). Separated by ; or , "
                    "dates as dd/mm/yyyy or yyyy-mm-dd. An optional column “nom d'usage” (the married name) "
                    "lets people be found by either name, as FranceConnect gives the birth name."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CENSUS_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."), code="too_big")
        return upload


class MethodsForm(forms.Form):
    sms_enabled = forms.BooleanField(
        label=_("Residents can receive a code by text message"), required=False,
        help_text=_("A text message proves a phone number, not an address: offer it if that is enough."))
    post_enabled = forms.BooleanField(
        label=_("Residents can receive a code by post"), required=False,
        help_text=_("Agents print the letters from this back-office and post them."))
    franceconnect_enabled = forms.BooleanField(
        label=_("Residents can verify with FranceConnect"), required=False,
        help_text=_("FranceConnect certifies a name and a date of birth, not an address: with a census list, the "
                    "identity must be on it. It is offered only next to the census list or codes."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not settings.SOCIALACCOUNT_PROVIDERS.get("franceconnect"):
            del self.fields["franceconnect_enabled"]  # this installation has no FranceConnect


class DeskForm(IdentityForm):
    email = EmailFormField(label=_("Email address of the resident's account"))
    document_checked = forms.BooleanField(
        label=_("I have checked an identity document of this person, and the name and date of birth above "
                "are the ones on it"))

    field_order = ["email", "last_name", "first_name", "birth_date", "document_checked"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "off"})
        self.fields["last_name"].help_text = _("As on the identity document.")
        self.fields["first_name"].help_text = _("All the first names, as on the identity document.")
        for name in ("last_name", "first_name"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["birth_date"].widget.attrs["autocomplete"] = "off"

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No account has this email address. The resident must create an "
                                          "account first."), code="unknown")
        self.user = user
        return email
