from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core.accounts.models import DEFAULT_PUBLIC_NAME_PREFIX, User, public_name_taken
from concerto.core.territory.models import Organisation, Quartier

OLDEST_BIRTH_YEAR = 1900
YOUNGEST_AGE = 10


class PublicNameField(forms.CharField):
    """The public name or pseudonym shown on a person's contributions (sign-up and profile)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Public name or pseudonym"))
        kwargs.setdefault("help_text", _("Shown on your contributions; a pseudonym is fine."))
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("min_length", 2)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "nickname", "spellcheck": "false"}))
        super().__init__(**kwargs)


def clean_public_name(name: str, *, user=None) -> str:
    """NAME, or a form error when another account shows it or it would pass for a default name."""
    name = " ".join(name.split())
    if name.casefold().startswith(DEFAULT_PUBLIC_NAME_PREFIX.casefold()) and (
            user is None or name.casefold() != (user.display_name or "").casefold()):
        raise forms.ValidationError(
            _("Names starting with “Participant” are kept for people who give none: choose another."),
            code="reserved")
    if public_name_taken(name, exclude_pk=getattr(user, "pk", None)):
        raise forms.ValidationError(
            _("Someone already uses this public name: add an initial, a place or a number to it."), code="taken")
    return name


class SignupForm(forms.Form):
    """What allauth's sign-up form asks on top of the email address and password
    (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = PublicNameField()

    def clean_display_name(self):
        return clean_public_name(self.cleaned_data["display_name"])

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


class ProfileForm(forms.Form):
    display_name = PublicNameField()
    demographics_consent = forms.BooleanField(
        label=_("I agree that Concerto keeps the answers below to measure who takes part"), required=False,
        help_text=_("Untick this box and save to delete these answers."),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False,
        help_text=_("For example: 1984"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
    )
    residence = forms.ModelChoiceField(
        label=_("Commune where you live"), required=False,
        queryset=Organisation.objects.communes().order_by("name"),
        empty_label=_("I prefer not to say, or I live outside the Métropole"),
    )
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, widget=forms.RadioSelect,
        choices=[("", _("I prefer not to say")), *User.Gender.choices],
    )

    quartier = forms.TypedChoiceField(
        label=_("Your quartier"), required=False, coerce=int, empty_value=None,
        help_text=_("The quartiers your commune has described. Choose the commune where you live above too."))

    activity = forms.ChoiceField(
        label=_("Your activity"), required=False, widget=forms.RadioSelect,
        choices=[("", _("I prefer not to say")), *User.Activity.choices],
        help_text=_("Asked by your commune, as the census does."))

    DEMOGRAPHICS = ("birth_year", "residence", "gender", "quartier", "activity")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Grouped by commune: only communes whose agents described quartiers (a handful), so no script is needed.
        groups: dict[str, list] = {}
        for quartier in Quartier.objects.select_related("organisation").order_by("organisation__name", "position",
                                                                                 "name"):
            groups.setdefault(quartier.organisation.name, []).append((quartier.pk, quartier.name))
        if groups:
            self.fields["quartier"].choices = [("", _("I do not know, or I prefer not to say")), *groups.items()]
        else:
            del self.fields["quartier"]
        # Activity: only where the person's commune asks it (the service keeps it only for such a commune).
        residence = getattr(user, "residence", None) if getattr(user, "residence_id", None) else None
        if residence is None or not residence.asks_activity:
            del self.fields["activity"]

    def clean(self):
        cleaned = super().clean()
        quartier_id = cleaned.get("quartier")
        if quartier_id:
            quartier = Quartier.objects.select_related("organisation").filter(pk=quartier_id).first()
            residence = cleaned.get("residence")
            if quartier is None:
                self.add_error("quartier", _("This quartier no longer exists: choose another one."))
            elif residence is None or residence.pk != quartier.organisation_id:
                self.add_error("quartier", _("%(quartier)s is a quartier of %(commune)s: choose that commune as "
                                             "the one where you live, or another quartier.")
                               % {"quartier": quartier.name, "commune": quartier.organisation.name})
            else:
                cleaned["quartier"] = quartier
        return cleaned

    def clean_display_name(self):
        return clean_public_name(self.cleaned_data["display_name"], user=self.user)

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is None:
            return None
        latest = timezone.localdate().year - YOUNGEST_AGE
        if not OLDEST_BIRTH_YEAR <= year <= latest:
            raise forms.ValidationError(
                _("Enter a year of birth between %(first)s and %(last)s."),
                params={"first": OLDEST_BIRTH_YEAR, "last": latest}, code="birth_year_range",
            )
        return year

    def demographics(self) -> dict | None:
        """The answers to store, or None when the person does not consent (nothing is kept)."""
        if not self.cleaned_data.get("demographics_consent"):
            return None
        return {name: self.cleaned_data.get(name) for name in self.DEMOGRAPHICS}

    def has_unconsented_answers(self) -> bool:
        return not self.cleaned_data.get("demographics_consent") and any(
            self.cleaned_data.get(name) for name in self.DEMOGRAPHICS
        )

    @classmethod
    def initial_for(cls, user: User) -> dict:
        return {
            "display_name": user.display_name,
            "demographics_consent": user.demographics_consent_at is not None,
            "birth_year": user.birth_year,
            "residence": user.residence_id,
            "gender": user.gender,
            "quartier": user.quartier_id,
            "activity": user.activity,
        }


class QuartierAddressForm(forms.Form):
    """An address typed to find one's quartier: looked up, never kept (accounts.views.quartier_from_address)."""

    address = forms.CharField(
        label=_("Your address"), max_length=200, min_length=3,
        help_text=_("For example: 12 rue Houdan, Sceaux. It is only used to find your quartier and is not kept."),
        error_messages={"required": _("Type your address (number, street and commune) to find your quartier."),
                        "min_length": _("Type your address (number, street and commune) to find your quartier.")},
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}))


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False,
        help_text=_("To be sure it is you."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This password is not correct."), code="wrong_password")
        return password


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"), max_length=100,
        help_text=_("To recognise it later, for example the name of the tool that will use it."),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."), code="required")
        return name
