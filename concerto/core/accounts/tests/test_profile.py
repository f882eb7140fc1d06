"""The profile page: public name and consented demographics."""

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.core.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PROFILE = "/compte/profil/"


def save(client, **fields):
    data = {"display_name": "Camille", "birth_year": "", "residence": "", "gender": ""}
    data.update(fields)
    return client.post(PROFILE, data)


def test_profile_requires_login(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")


def test_profile_page_explains_why_demographics_are_asked_and_links_to_account_pages(client, resident):
    client.force_login(resident)
    page = client.get(PROFILE).content.decode()
    assert page.count("<h1") == 1
    assert "ressemblent aux habitants" in page
    for url in ["account_email", "account_change_password", "mfa_index", "accounts:data_export",
                "accounts:delete", "accounts:tokens"]:
        assert f'href="{reverse(url)}"' in page


def test_demographics_are_kept_only_with_consent(client, resident, montreuil):
    resident.residence = None
    resident.save()
    client.force_login(resident)

    response = save(client, birth_year="1980", residence=montreuil.pk, gender="woman")
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.display_name == "Camille"
    assert (resident.birth_year, resident.residence, resident.gender) == (None, None, "")
    assert resident.demographics_consent_at is None
    assert "n’ont pas été conservées" in client.get(PROFILE).content.decode()

    save(client, demographics_consent="on", birth_year="1980", residence=montreuil.pk, gender="woman")
    resident.refresh_from_db()
    assert (resident.birth_year, resident.residence, resident.gender) == (1980, montreuil, "woman")
    assert resident.demographics_consent_at is not None
    entry = AuditEntry.objects.filter(action="account.profile_updated").first()
    assert "1980" not in str(entry.data) and "Montreuil" not in str(entry.data)


def test_unticking_consent_deletes_all_three_answers(client, resident, sceaux):
    resident.demographics_consent_at = timezone.now()
    resident.birth_year, resident.gender = 1975, "man"
    resident.save()
    client.force_login(resident)

    save(client, birth_year="1975", residence=sceaux.pk, gender="man")  # consent box left unticked

    resident.refresh_from_db()
    assert (resident.birth_year, resident.residence, resident.gender) == (None, None, "")
    assert resident.demographics_consent_at is None
    assert AuditEntry.objects.filter(action="account.demographics_withdrawn").exists()


def test_withdraw_button_deletes_the_answers(client, resident, sceaux):
    resident.demographics_consent_at = timezone.now()
    resident.birth_year, resident.gender = 1990, "other"
    resident.save()
    client.force_login(resident)
    assert "Retirer mon consentement" in client.get(PROFILE).content.decode()

    response = client.post(reverse("accounts:demographics_withdraw"), follow=True)

    resident.refresh_from_db()
    assert (resident.birth_year, resident.residence, resident.gender, resident.demographics_consent_at) == (
        None, None, "", None)
    assert "Votre consentement est retiré" in response.content.decode()


@pytest.mark.parametrize("year", ["1899", str(timezone.localdate().year - 9), "3000"])
def test_impossible_year_of_birth_is_refused_in_french(client, resident, year):
    client.force_login(resident)
    response = save(client, demographics_consent="on", birth_year=year)
    assert response.status_code == 200
    page = response.content.decode()
    last = timezone.localdate().year - 10
    assert f"Indiquez une année de naissance entre 1900 et {last}." in page
    assert 'href="#id_birth_year"' in page  # the error summary links to the field
    resident.refresh_from_db()
    assert resident.birth_year is None


def test_oldest_and_youngest_years_are_accepted(client, resident):
    client.force_login(resident)
    for year in (1900, timezone.localdate().year - 10):
        assert save(client, demographics_consent="on", birth_year=str(year)).status_code == 302
        resident.refresh_from_db()
        assert resident.birth_year == year


def test_residence_must_be_a_commune(client, resident, metropole):
    client.force_login(resident)
    response = save(client, demographics_consent="on", residence=metropole.pk)
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
