"""A person's quartier on the profile: optional, kept only under the demographics consent, in the export, erased
with the account, and suggested (never set) from a place the person gave."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.core.accounts.models import User
from concerto.core.accounts.services import account_delete, people_in_quartier
from concerto.core.participation.models import FollowedPlace
from concerto.core.territory.models import Quartier

pytestmark = pytest.mark.django_db

PROFILE = "/compte/profil/"
BLAGIS = {"type": "Polygon", "coordinates": [[[2.29, 48.775], [2.30, 48.775], [2.30, 48.785], [2.29, 48.785],
                                              [2.29, 48.775]]]}


@pytest.fixture
def blagis(sceaux):
    return Quartier.objects.create(organisation=sceaux, name="Les Blagis", priority_area=True, polygon=BLAGIS)


@pytest.fixture
def other(montreuil):
    return Quartier.objects.create(organisation=montreuil, name="La Boissière")


def save(client, **fields):
    data = {"display_name": "Camille", "birth_year": "", "residence": "", "gender": "", "quartier": ""}
    data.update(fields)
    return client.post(PROFILE, data)


def test_no_quartier_field_while_no_commune_describes_any(client, resident):
    client.force_login(resident)
    assert 'name="quartier"' not in client.get(PROFILE).content.decode()


def test_a_resident_chooses_their_quartier_under_the_consent(client, resident, sceaux, blagis, other):
    client.force_login(resident)
    page = client.get(PROFILE).content.decode()
    assert 'name="quartier"' in page and "Je ne sais pas, ou je ne souhaite pas le dire" in page
    assert '<optgroup label="Sceaux">' in page and "La Boissière" in page
    save(client, residence=sceaux.pk, quartier=blagis.pk)  # consent box left unticked: nothing kept
    resident.refresh_from_db()
    assert resident.quartier is None
    save(client, demographics_consent="on", residence=sceaux.pk, quartier=blagis.pk)
    resident.refresh_from_db()
    assert resident.quartier == blagis and resident.demographics_consent_at is not None
    assert list(people_in_quartier(blagis)) == [resident]
    # never required: « I do not know » is a choice
    assert save(client, demographics_consent="on", residence=sceaux.pk, quartier="").status_code == 302
    resident.refresh_from_db()
    assert resident.quartier is None and resident.residence == sceaux


def test_a_quartier_of_another_commune_is_refused_in_french(client, resident, sceaux, other):
    client.force_login(resident)
    response = save(client, demographics_consent="on", residence=sceaux.pk, quartier=other.pk, birth_year="1980")
    page = response.content.decode()
    assert response.status_code == 200 and "La Boissière est un quartier de Montreuil" in page
    assert 'value="1980"' in page  # what was typed stays
    resident.refresh_from_db()
    assert resident.quartier is None and resident.birth_year is None


def test_withdrawing_the_consent_clears_the_quartier(client, resident, sceaux, blagis):
    User.objects.filter(pk=resident.pk).update(quartier=blagis, demographics_consent_at=timezone.now())
    client.force_login(resident)
    response = client.post(reverse("accounts:demographics_withdraw"), follow=True)
    assert "votre quartier" in response.content.decode()
    resident.refresh_from_db()
    assert resident.quartier is None and not people_in_quartier(blagis).exists()


def test_the_export_holds_the_quartier_and_erasure_removes_it(client, resident, sceaux, blagis):
    User.objects.filter(pk=resident.pk).update(quartier=blagis, demographics_consent_at=timezone.now())
    client.force_login(resident)
    data = json.loads(client.post(reverse("accounts:data_export")).content)
    assert data["demographics"]["quartier"] == "Les Blagis"
    account_delete(user=User.objects.get(pk=resident.pk))
    assert not people_in_quartier(blagis).exists() and Quartier.objects.filter(pk=blagis.pk).exists()


def test_a_followed_place_suggests_the_quartier_which_the_person_confirms(client, resident, sceaux, blagis):
    FollowedPlace.objects.create(user=resident, label="École des Blagis", latitude=48.78, longitude=2.295,
                                 radius=300)
    client.force_login(resident)
    page = client.get(PROFILE).content.decode()
    assert "«\u00a0École des Blagis\u00a0» est dans le quartier Les Blagis (Sceaux)" in page
    resident.refresh_from_db()
    assert resident.quartier is None  # a suggestion, never set on the person's behalf
    # only the quartier suggested can be confirmed
    other = Quartier.objects.create(organisation=sceaux, name="Centre")
    client.post(reverse("accounts:quartier_confirm"), {"quartier": other.pk})
    resident.refresh_from_db()
    assert resident.quartier is None
    response = client.post(reverse("accounts:quartier_confirm"), {"quartier": blagis.pk}, follow=True)
    assert "Votre quartier est enregistré\u00a0: Les Blagis." in response.content.decode()
    resident.refresh_from_db()
    assert resident.quartier == blagis and resident.residence == sceaux and resident.demographics_consent_at
    assert "École des Blagis" not in client.get(PROFILE).content.decode()  # no more suggestion once said


def test_a_place_outside_every_quartier_suggests_nothing(client, resident, sceaux, blagis):
    FollowedPlace.objects.create(user=resident, label="Gare", latitude=48.70, longitude=2.10, radius=300)
    client.force_login(resident)
    assert "est dans le quartier" not in client.get(PROFILE).content.decode()


def test_activity_is_asked_only_where_the_commune_asks_it(client, resident, sceaux, montreuil):
    User.objects.filter(pk=resident.pk).update(residence=sceaux)
    client.force_login(resident)
    assert 'name="activity"' not in client.get(PROFILE).content.decode()
    save(client, demographics_consent="on", residence=sceaux.pk, activity="retired")
    resident.refresh_from_db()
    assert resident.activity == ""  # Sceaux does not ask: nothing kept
    sceaux.asks_activity = True
    sceaux.save()
    page = client.get(PROFILE).content.decode()
    assert "Votre activité" in page and "Élève ou étudiant" in page
    save(client, demographics_consent="on", residence=sceaux.pk, activity="retired")
    resident.refresh_from_db()
    assert resident.activity == "retired"
    data = json.loads(client.post(reverse("accounts:data_export")).content)
    assert data["demographics"]["activity"] == "retired"
    save(client, demographics_consent="on", residence=montreuil.pk, activity="retired")  # moved: Montreuil does not ask
    resident.refresh_from_db()
    assert resident.activity == ""
    User.objects.filter(pk=resident.pk).update(residence=sceaux, activity="student")
    client.post(reverse("accounts:demographics_withdraw"))
    resident.refresh_from_db()
    assert resident.activity == "" and resident.residence is None


def test_a_commune_administrator_turns_the_activity_question_on(staff_client, admin_sceaux, sceaux):
    browser = staff_client(admin_sceaux)
    page = browser.get(reverse("backoffice:settings", args=["sceaux"])).content.decode()
    assert "Demander aux habitants leur activité" in page
    browser.post(reverse("backoffice:settings", args=["sceaux"]), {"asks_activity": "on",
                                                                   "open_data_licence": "etalab-2.0"})
    sceaux.refresh_from_db()
    assert sceaux.asks_activity


ADDRESS = "/compte/profil/quartier/adresse/"


def test_an_address_typed_on_the_profile_suggests_the_quartier_and_is_not_kept(client, resident, sceaux, blagis,
                                                                                geocoder):
    client.force_login(resident)
    assert "Trouver mon quartier à partir de mon adresse" in client.get(PROFILE).content.decode()
    page = client.post(ADDRESS, {"address": "12 rue Houdan Sceaux"}).content.decode()
    assert "L’adresse «\u00a012 Rue Houdan 92330 Sceaux\u00a0» est dans le quartier Les Blagis (Sceaux)" in page
    resident.refresh_from_db()
    assert resident.quartier is None  # a suggestion, never set on the person's behalf
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    # the token names this quartier for this person: another quartier, or another person, is refused
    centre = Quartier.objects.create(organisation=sceaux, name="Centre")
    client.post(reverse("accounts:quartier_confirm"), {"quartier": centre.pk, "token": token})
    resident.refresh_from_db()
    assert resident.quartier is None
    someone = User.objects.create_user(email="autre@example.org", password="x" * 12)
    other_client = type(client)()
    other_client.force_login(someone)
    other_client.post(reverse("accounts:quartier_confirm"), {"quartier": blagis.pk, "token": token})
    someone.refresh_from_db()
    assert someone.quartier is None
    response = client.post(reverse("accounts:quartier_confirm"), {"quartier": blagis.pk, "token": token}, follow=True)
    assert "Votre quartier est enregistré\u00a0: Les Blagis." in response.content.decode()
    resident.refresh_from_db()
    assert resident.quartier == blagis and resident.residence == sceaux and resident.demographics_consent_at
    assert "Rue Houdan" not in json.dumps(client.post(reverse("accounts:data_export")).json())  # the address: nowhere
    assert "Trouver mon quartier" not in client.get(PROFILE).content.decode()  # said: no more asking


def test_an_address_outside_the_quartiers_unknown_or_unreachable_is_said_in_french(client, resident, sceaux, blagis,
                                                                                 geocoder, settings):
    client.force_login(resident)
    response = client.post(ADDRESS, {"address": "Hôtel de Ville Paris"})
    page = response.content.decode()
    assert response.status_code == 200 and "n’est dans aucun des quartiers" in page
    response = client.post(ADDRESS, {"address": "99 avenue Introuvable"})
    assert response.status_code == 400
    assert "Aucune adresse de la Métropole ne correspond à «\u00a099 avenue Introuvable\u00a0»" in \
        response.content.decode()
    assert 'value="99 avenue Introuvable"' in response.content.decode()  # what was typed stays
    response = client.post(ADDRESS, {"address": ""})
    assert response.status_code == 400 and "Indiquez votre adresse" in response.content.decode()
    settings.CONCERTO_GEOCODER_URL = "http://127.0.0.1:9"  # nothing listens there
    response = client.post(ADDRESS, {"address": "5 rue Ailleurs Sceaux"})
    assert response.status_code == 503 and "Le service des adresses ne répond pas" in response.content.decode()
    resident.refresh_from_db()
    assert resident.quartier is None


def test_no_address_form_without_outlined_quartiers_or_addresses(client, resident, sceaux, other, geocoder, settings):
    client.force_login(resident)
    assert "Trouver mon quartier" not in client.get(PROFILE).content.decode()  # no quartier has an outline
    Quartier.objects.create(organisation=sceaux, name="Les Blagis", polygon=BLAGIS)
    assert "Trouver mon quartier" in client.get(PROFILE).content.decode()
    settings.CONCERTO_GEOCODER_URL = "none"
    assert "Trouver mon quartier" not in client.get(PROFILE).content.decode()
    assert client.post(ADDRESS, {"address": "12 rue Houdan Sceaux"}).status_code == 302
