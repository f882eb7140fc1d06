from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.components.proposals.manifest import ORDER_CHOICES
from concerto.components.proposals.models import Category, Proposal
from concerto.components.proposals.services import ANSWER_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from concerto.core.maps import PointField
from concerto.core.participation.behalf import behalf_value
from concerto.core.uploads import ImageWithAltFormMixin


class ProposalForm(ImageWithAltFormMixin, forms.Form):
    """Submit or edit a proposal. A plain form: the service, not the form, changes the proposal."""

    title = forms.CharField(
        label=_("Title of your proposal"), max_length=TITLE_MAX_LENGTH,
        help_text=_("In a few words: what do you propose? 150 characters at most."),
        error_messages={"required": _("Give your proposal a title.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    text = forms.CharField(
        label=_("Describe your proposal"), max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What, where, for whom, why. Leave an empty line between paragraphs. "
                    "5,000 characters at most."),
        error_messages={"required": _("Describe your proposal.")},
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=_("Choose a category"),
        error_messages={"required": _("Choose a category."),
                        "invalid_choice": _("Choose one of the categories of the list.")},
    )
    image = forms.ImageField(
        label=_("Image"), required=False, help_text=_("A photo or a drawing: JPEG, PNG or WebP, 5 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_alt = forms.CharField(
        label=_("Description of the image"), max_length=Proposal._meta.get_field("image_alt").max_length,
        required=False, help_text=_("What the image shows, for people who cannot see it."),
    )
    location = PointField(label=_("Place concerned"), required=False)

    def __init__(self, *args, component, proposal: Proposal | None = None, **kwargs):
        if proposal is not None:
            kwargs.setdefault("initial", {
                "title": proposal.title, "text": proposal.text, "category": proposal.category_id,
                "image": proposal.image, "image_alt": proposal.image_alt,
                "location": ((proposal.latitude, proposal.longitude, proposal.address) if proposal.has_location
                             else None),
            })
        super().__init__(*args, **kwargs)
        self.component = component
        categories = Category.objects.filter(component=component)
        self.fields["category"].queryset = categories
        if not categories.exists():
            del self.fields["category"]
        self.fields["location"].within = component.space.organisation
        self.fields["location"].help_text = _(
            "Optional. Click the map, or enter the latitude and longitude in decimal degrees "
            "(for example 48.7786 and 2.2906).")

    def values(self) -> dict:
        """Keyword arguments for proposal_create / proposal_update: an unchanged image is left out, a
        removed one is False."""
        data = self.cleaned_data
        values = {"title": data["title"], "text": data["text"], "category": data.get("category"),
                  "image_alt": data.get("image_alt", ""), "point": data.get("location")}
        image = data.get("image")
        if image is False or isinstance(image, UploadedFile):
            values["image"] = image
        return values | behalf_value(self)

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError next to the fields it names."""
        names = {"location": "location"}
        for name, messages in error.message_dict.items():
            field = names.get(name, name)
            self.add_error(field if field in self.fields else None, messages)


class FilterForm(forms.Form):
    """The filters and the order of the public list (GET). Unknown values are ignored, never an error."""

    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    categorie = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    statut = forms.ChoiceField(label=_("Answer"), required=False)
    commune = forms.TypedChoiceField(label=_("Commune"), required=False, coerce=int, empty_value=None)
    tri = forms.ChoiceField(label=_("Order"), required=False, choices=ORDER_CHOICES)

    STATUS_CHOICES = (
        ("", pgettext_lazy("filter, feminine", "All")),
        ("unanswered", _("Not answered yet")),
        *[(value, label) for value, label in Proposal.Answer.choices if value],
        ("withdrawn", _("Withdrawn")),
    )

    def __init__(self, data, *, categories, communes, default_order: str):
        super().__init__(data)
        every = pgettext_lazy("filter, feminine", "All")
        self.fields["categorie"].choices = [("", every), *[(c.pk, c.name) for c in categories]]
        self.fields["commune"].choices = [("", every), *[(c.pk, c.name) for c in communes]]
        self.fields["statut"].choices = self.STATUS_CHOICES
        self.default_order = default_order

    def filters(self) -> dict:
        """The valid filters; a value that is not valid is dropped (a stale link still shows a list)."""
        self.is_valid()
        # cleaned_data holds the valid fields only.
        data = self.cleaned_data
        return {
            "q": (data.get("q") or "").strip()[:100],
            "category": data.get("categorie"),
            "status": data.get("statut") or "",
            "commune": data.get("commune"),
            "order": data.get("tri") or self.default_order,
        }


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Answer"), widget=forms.RadioSelect,
        choices=[(value, label) for value, label in Proposal.Answer.choices if value],
        error_messages={"required": _("Choose an answer from the list."),
                        "invalid_choice": _("Choose an answer from the list.")},
    )
    text = forms.CharField(
        label=_("Public answer"), required=False, max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Shown on the proposal's page and sent to its author and followers. Required when the "
                    "proposal is rejected: give the reason."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Proposal.Answer.REJECTED and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("Explain why the proposal is rejected: residents need to know the reason."))
        return cleaned
