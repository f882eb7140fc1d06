"""Two agents creating spaces with the same address at the same instant: a form error, not a 500."""

import pytest
from django.core.exceptions import ValidationError

from concerto.core.spaces import services
from concerto.core.spaces.models import Space

pytestmark = pytest.mark.django_db


def test_a_slug_taken_between_the_check_and_the_save_becomes_a_french_form_error(monkeypatch, agent, sceaux):
    first = services.space_create(actor=agent, organisation=sceaux, title="Budget participatif", slug="budget")
    # The other request checked before this one saved: skip the check to reach the database constraint.
    monkeypatch.setattr(services, "_check_space", lambda *args, **kwargs: None)

    with pytest.raises(ValidationError) as error:
        services.space_create(actor=agent, organisation=sceaux, title="Autre budget", slug="budget")

    assert error.value.message_dict["slug"] == [
        "Un autre espace de cette collectivité utilise déjà l'adresse «\u00a0budget\u00a0»."
    ]
    assert list(Space.objects.filter(organisation=sceaux, slug="budget")) == [first]
