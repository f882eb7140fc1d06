"""The shared field template (includes/field.html): every error of a field is shown, under one id that the
input's aria-describedby names, so no id repeats on the page."""

from django import forms
from django.template.loader import render_to_string


class TwoErrors(forms.Form):
    name = forms.CharField(label="Nom")

    def clean_name(self):
        raise forms.ValidationError(["Trop court.", "Caractères interdits."])


def test_a_field_with_two_errors_shows_both_under_one_id():
    form = TwoErrors({"name": "x"})
    assert not form.is_valid()
    html = render_to_string("includes/field.html", {"field": form["name"]})
    assert html.count('id="id_name_error"') == 1
    assert "Trop court." in html and "Caractères interdits." in html
    assert 'aria-describedby="id_name_error"' in html
