import pytest
from django.core.exceptions import ValidationError

from concerto.core.territory.validators import contrast_ratio, validate_accent_color


@pytest.mark.parametrize("colour", ["#1d4ed8", "#000000", "#767676", "#B91C1C"])
def test_dark_enough_colours_are_accepted(colour):
    validate_accent_color(colour)


@pytest.mark.parametrize("colour", ["#777777", "#ffffff", "#fbbf24"])
def test_colours_too_light_for_white_text_are_refused_with_the_ratio(colour):
    with pytest.raises(ValidationError) as error:
        validate_accent_color(colour)
    message = error.value.messages[0]
    assert message.startswith("Cette couleur est trop claire pour un texte blanc")
    assert "il faut au moins 4,5 pour 1" in message


def test_refusal_shows_the_ratio_rounded_down():
    # #777777 reaches 4.478:1; showing "4,48" or "4,5" would blur the rule it breaks.
    with pytest.raises(ValidationError) as error:
        validate_accent_color("#777777")
    assert "son contraste est de 4,47 pour 1" in error.value.messages[0]


@pytest.mark.parametrize("value", ["1d4ed8", "#12345", "#1d4ed8 ", "#gggggg", "blue", "", None])
def test_anything_but_hash_and_six_hex_digits_is_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_accent_color(value)
    assert error.value.messages == [
        "Saisissez une couleur sous la forme # suivi de 6 chiffres hexadécimaux, par exemple #1d4ed8."
    ]


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
