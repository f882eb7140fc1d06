"""A census list may know a person by their usage (married) name while FranceConnect gives the birth name: an
optional « nom d'usage » column finds them by either, and FranceConnect's `preferred_username` (the usage
name) is tried after its `family_name`. One person keeps one identity hash whichever name found them."""

import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from concerto import testing
from concerto.core.accounts import verification
from concerto.core.accounts.models import Verification
from concerto.core.accounts.tests.fake_franceconnect import CLIENT_ID, CLIENT_SECRET, FakeFranceConnect
from concerto.core.accounts.tests.test_franceconnect import password_login, provider_round
from concerto.settings import franceconnect_providers

pytestmark = pytest.mark.django_db

BORN = datetime.date(1962, 8, 24)
# Angela Dubois (birth name, as FranceConnect's fake provider certifies her) married Bernard.
WITH_USAGE = ("nom de naissance;nom d'usage;prénoms;date de naissance\n"
              "Dubois;Bernard;Angela Claire Louise;24/08/1962\n"
              "Martin;;Camille;14/07/1985\n").encode()
MARRIED_ONLY = "nom;prénom;date de naissance\nBernard;Angela Claire Louise;24/08/1962\n".encode()


@pytest.fixture
def fc(settings):
    with FakeFranceConnect() as fake:
        settings.SOCIALACCOUNT_PROVIDERS = franceconnect_providers(CLIENT_ID, CLIENT_SECRET, fake.url)
        yield fake


def _list(organisation, agent, data: bytes):
    parsed = verification.census_upload(agent=agent, organisation=organisation, data=data)
    verification.setup_update(agent=agent, organisation=organisation, franceconnect_enabled=True)
    return parsed


def _identity(**claims):
    return {"sub": "s", "given_name": "Angela Claire Louise", "family_name": "DUBOIS", "birthdate": "1962-08-24",
            "at": time.time(), **claims}


def test_a_resident_types_either_name_of_the_list_and_is_the_same_person(sceaux, agent):
    parsed = _list(sceaux, agent, WITH_USAGE)
    assert parsed.people == 2  # one person per line, whatever the number of names
    by_usage = verification.census_check(user=testing.UserFactory(email="a@example.org"), organisation=sceaux,
                                         last_name="Bernard", first_name="Angela", birth_date=BORN)
    verification.verification_revoke(agent=None, verification=by_usage)
    by_birth = verification.census_check(user=testing.UserFactory(email="b@example.org"), organisation=sceaux,
                                         last_name="dubois", first_name="Angela Claire", birth_date=BORN)
    assert by_usage.identity_hash == by_birth.identity_hash
    # A line without a usage name is found by its name, as before.
    verification.census_check(user=testing.UserFactory(email="c@example.org"), organisation=sceaux,
                              last_name="Martin", first_name="Camille", birth_date=datetime.date(1985, 7, 14))


def test_franceconnects_birth_name_finds_the_person_listed_with_a_usage_name_column(client, sceaux, agent, fc):
    _list(sceaux, agent, WITH_USAGE)
    user = testing.UserFactory(email="angela@example.org")
    password_login(client, user)
    response = client.post(reverse("accounts:verification_franceconnect", args=["sceaux"]))
    back = provider_round(client, response)
    finish = client.get(back["Location"])
    assert finish.status_code == 302
    verified = Verification.objects.get(user=user)
    assert verified.method == Verification.Method.FRANCECONNECT
    assert verified.identity_hash == verification.identity_hash(
        organisation=sceaux, last_name="Bernard", first_name="Angela Claire Louise", birth_date=BORN)


def test_a_list_of_married_names_finds_the_person_by_franceconnects_usage_name(client, sceaux, agent, fc):
    _list(sceaux, agent, MARRIED_ONLY)
    fc.identity["preferred_username"] = "BERNARD"
    user = testing.UserFactory(email="angela@example.org")
    password_login(client, user)
    back = provider_round(client, client.post(reverse("accounts:verification_franceconnect", args=["sceaux"])))
    client.get(back["Location"])
    assert verification.is_verified(user=user, organisation=sceaux)


def test_without_a_usage_name_a_list_of_married_names_still_misses_the_person(sceaux, agent, fc):
    _list(sceaux, agent, MARRIED_ONLY)
    user = testing.UserFactory(email="angela@example.org")
    with pytest.raises(ValidationError) as refused:
        verification.franceconnect_verify(user=user, organisation=sceaux, identity=_identity(preferred_username=""))
    assert refused.value.code == "not_found"
    with pytest.raises(ValidationError) as other:
        verification.franceconnect_verify(user=user, organisation=sceaux,
                                          identity=_identity(preferred_username="Durand"))
    assert other.value.code == "not_found"
    assert not Verification.objects.filter(user=user).exists()


def test_a_usage_name_that_is_another_persons_name_is_ambiguous_not_a_wrong_match(sceaux, agent):
    # Two people born the same day with the same first names: one's usage name is the other's birth name.
    data = ("nom;nom d'usage;prénom;date de naissance\n"
            "Bernard;;Angela;24/08/1962\n"
            "Dubois;Bernard;Angela;24/08/1962\n").encode()
    _list(sceaux, agent, data)
    with pytest.raises(ValidationError) as refused:
        verification.census_check(user=testing.UserFactory(email="x@example.org"), organisation=sceaux,
                                  last_name="Bernard", first_name="Angela", birth_date=BORN)
    assert refused.value.code == "ambiguous"
    # Her birth name still names her alone.
    verification.census_check(user=testing.UserFactory(email="y@example.org"), organisation=sceaux,
                              last_name="Dubois", first_name="Angela", birth_date=BORN)


def test_a_single_usage_name_column_is_the_name_column(sceaux, agent):
    parsed = _list(sceaux, agent, "nom d'usage;prénom;date de naissance\nBernard;Angela;24/08/1962\n".encode())
    assert parsed.people == 1
    verification.census_check(user=testing.UserFactory(email="z@example.org"), organisation=sceaux,
                              last_name="Bernard", first_name="Angela", birth_date=BORN)
