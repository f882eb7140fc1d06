"""The demo lets a resident verify online in Sceaux, as README.md tells."""

import pytest
from django.urls import reverse

from concerto import testing
from concerto.core.accounts import verification
from concerto.core.accounts.models import Verification
from concerto.demo.verification import demo_load

pytestmark = pytest.mark.django_db


def test_a_sceaux_resident_verifies_online_with_the_census_data_of_the_readme(client, sceaux, agent):
    demo_load(actor=agent, organisation=sceaux)
    setup = verification.setup_for(organisation=sceaux)
    assert setup.census_size == 4 and setup.sms_enabled and setup.post_enabled
    assert sceaux in verification.verification_organisations()
    resident = testing.UserFactory(email="habitant@sceaux.demo")
    client.force_login(resident)
    response = client.post(reverse("accounts:verification_census", args=["sceaux"]),
                           {"last_name": "Martin", "first_name": "Camille", "birth_date": "14/07/1985"})
    assert response.status_code == 302
    assert Verification.objects.get(user=resident).method == Verification.Method.CENSUS
