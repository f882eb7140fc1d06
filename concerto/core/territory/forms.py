"""The back-office form to upload commune boundaries (a GeoJSON file)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.core.french import file_size
from concerto.core.territory.boundaries import BoundaryError, parse_json

# An IGN Admin Express export of the Métropole's communes weighs a few MB; the reverse proxy is set to
# accept a little more than 10 MB (docs/operations.md).
MAX_BOUNDARIES_BYTES = 10 * 1024 * 1024


class BoundariesUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("GeoJSON file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json,application/json"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A .geojson or .json file of at most %(max)s.") % {
            "max": file_size(MAX_BOUNDARIES_BYTES)}

    def clean_file(self):
        """The parsed JSON of the file. Its name and declared type are not trusted: only its content counts."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BOUNDARIES_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)s). The maximum is %(max)s.")
                % {"size": file_size(upload.size), "max": file_size(MAX_BOUNDARIES_BYTES)},
                code="too_large",
            )
        upload.seek(0)
        content = upload.read(MAX_BOUNDARIES_BYTES + 1)
        if len(content) > MAX_BOUNDARIES_BYTES:  # a declared size that lied
            raise forms.ValidationError(_("The file is too large. The maximum is %(max)s.")
                                        % {"max": file_size(MAX_BOUNDARIES_BYTES)}, code="too_large")
        try:
            return parse_json(content)
        except BoundaryError as error:
            raise forms.ValidationError(str(error), code="not_json") from None

    def add_boundary_error(self, error: BoundaryError) -> None:
        """Show the problems BoundaryError lists, one error per line, on the file field."""
        lines = [line for line in str(error).splitlines() if line.strip()]
        self.add_error("file", [forms.ValidationError(line, code="invalid_boundaries") for line in lines])
