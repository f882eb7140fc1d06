"""Resident verification, the pages: "Vérifier ma résidence" for residents, and the agents' back-office."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concerto import testing
from concerto.core.accounts import verification
from concerto.core.accounts.models import Verification

pytestmark = pytest.mark.django_db

BORN = datetime.date(1985, 7, 14)
CSV = "nom;prénom;date de naissance\nMartin;Camille;14/07/1985\n".encode()
VOTE = "/sceaux/budget-2026/budget/1/voter/"


def url(name, *args):
    return reverse(f"accounts:{name}", args=args)


def bo(name, *args):
    return reverse(f"backoffice:{name}", args=args)


def identity(**extra):
    return {"last_name": "Martin", "first_name": "Camille", "birth_date": "14/07/1985", **extra}


# Resident pages -----------------------------------------------------------------------------------------

def test_pages_require_an_account(client, census):
    response = client.get(url("verification_census", "sceaux"))
    assert response.status_code == 302 and "/compte/login/" in response["Location"]


def test_choose_lists_only_communes_offering_a_way(client, resident, census, montreuil):
    client.force_login(resident)
    page = client.get(url("verification"), {"next": VOTE}).content.decode()
    assert "Vérifier ma résidence" in page
    assert '<option value="sceaux">Sceaux</option>' in page
    assert 'value="montreuil"' not in page
    assert f'name="next" value="{VOTE}"' in page
    response = client.get(url("verification"), {"commune": "sceaux", "next": VOTE})
    assert response["Location"] == (url("verification_start", "sceaux")
                                    + "?next=%2Fsceaux%2Fbudget-2026%2Fbudget%2F1%2Fvoter%2F")


def test_choose_a_commune_that_offers_nothing_is_an_error_not_a_crash(client, resident, census):
    client.force_login(resident)
    response = client.get(url("verification"), {"commune": "montreuil"})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_start_page_offers_the_methods_of_the_commune(client, resident, census):
    client.force_login(resident)
    page = client.get(url("verification_start", "sceaux")).content.decode()
    assert "Avec mon nom et ma date de naissance" in page
    assert "par SMS" not in page
    assert "guichet de la mairie de Sceaux" in page


def test_census_match_verifies_and_goes_back_to_next(client, resident, census):
    client.force_login(resident)
    response = client.post(url("verification_census", "sceaux"),
                           identity(last_name="MARTÍN", first_name="camille", next=VOTE))
    assert response.status_code == 302 and response["Location"] == VOTE
    found = Verification.objects.get(user=resident)
    assert found.method == "census" and found.birth_date == BORN
    page = client.get(url("verification_start", "sceaux")).content.decode()
    assert "Votre résidence à Sceaux est vérifiée depuis le" in page


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_next_to_another_site_is_ignored(client, resident, census, next_url):
    client.force_login(resident)
    response = client.post(url("verification_census", "sceaux"), identity(next=next_url))
    assert response["Location"] == url("verification_start", "sceaux")


def test_census_no_match_says_so(client, resident, census):
    client.force_login(resident)
    response = client.post(url("verification_census", "sceaux"), identity(birth_date="15/07/1985"))
    assert response.status_code == 400
    assert "Nous n’avons pas trouvé ce nom" in response.content.decode()
    assert not Verification.objects.filter(user=resident).exists()


@pytest.mark.parametrize("data, message", [
    ({"last_name": "", "first_name": "", "birth_date": ""}, "Ce champ est obligatoire"),
    (identity(birth_date="31/02/1985"), "Saisissez une vraie date de naissance"),
    (identity(birth_date="14/07/2999"), "Saisissez une vraie date de naissance"),
    (identity(birth_date="x" * 5000), "Saisissez une vraie date de naissance"),
    (identity(last_name="---"), "Tapez des lettres"),
    (identity(first_name="a" * 500), "Assurez-vous que cette valeur comporte au plus 100"),
])
def test_census_bad_input_gets_a_form_error(client, resident, census, data, message):
    client.force_login(resident)
    response = client.post(url("verification_census", "sceaux"), data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_identity_already_used_sends_to_a_desk(client, resident, census):
    verification.census_check(user=testing.UserFactory(), organisation=census, last_name="Martin",
                              first_name="Camille", birth_date=BORN)
    client.force_login(resident)
    response = client.post(url("verification_census", "sceaux"), identity())
    assert response.status_code == 400
    assert "rendez-vous à un guichet de la mairie" in response.content.decode()


def test_no_census_no_page(client, resident, sceaux):
    client.force_login(resident)
    assert client.get(url("verification_census", "sceaux")).status_code == 404
    assert client.get(url("verification_code_request", "sceaux"), {"par": "sms"}).status_code == 404
    assert client.get(url("verification_start", sceaux.parent.slug)).status_code == 404


def test_sms_code_journey(client, resident, sceaux, sms_outbox, django_capture_on_commit_callbacks):
    setup = verification.setup_for(organisation=sceaux)
    setup.sms_enabled = True
    setup.save()
    client.force_login(resident)
    page = client.get(url("verification_code_request", "sceaux"), {"par": "sms", "next": VOTE}).content.decode()
    assert "Recevoir un code par SMS" in page and 'type="tel"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("verification_code_request", "sceaux"),
                               identity(par="sms", phone="06 12 34 56 78", next=VOTE))
    assert response["Location"].startswith(url("verification_code_enter", "sceaux") + "?next=")
    assert sms_outbox[0]["phone"] == "+33612345678"
    code = re.search(r"\b(\d{6})\b", sms_outbox[0]["message"]).group(1)
    assert "votre code pour vérifier votre résidence à Sceaux" in sms_outbox[0]["message"]

    wrong = "000000" if code != "000000" else "111111"
    response = client.post(url("verification_code_enter", "sceaux"), {"code": wrong, "next": VOTE})
    assert response.status_code == 400 and "Ce code est faux. Il vous reste 4" in response.content.decode()
    response = client.post(url("verification_code_enter", "sceaux"), {"code": "12ab"})
    assert response.status_code == 400 and "Le code compte 6 chiffres" in response.content.decode()
    response = client.post(url("verification_code_enter", "sceaux"), {"code": f"{code[:3]} {code[3:]}",
                                                                       "next": VOTE})
    assert response["Location"] == VOTE
    assert Verification.objects.get(user=resident).method == "code"


def test_sms_with_a_bad_number_is_a_form_error(client, resident, sceaux, sms_outbox):
    verification.setup_update(agent=None, organisation=sceaux, sms_enabled=True, post_enabled=False)
    client.force_login(resident)
    response = client.post(url("verification_code_request", "sceaux"), identity(par="sms", phone="12"))
    assert response.status_code == 400
    assert "Saisissez un numéro de portable français" in response.content.decode()
    assert sms_outbox == []


def test_post_letter_journey(client, staff_client, resident, agent, sceaux):
    verification.setup_update(agent=agent, organisation=sceaux, sms_enabled=False, post_enabled=True)
    client.force_login(resident)
    response = client.post(url("verification_code_request", "sceaux"),
                           identity(par="courrier", postal_address="12 rue Houdan\n92330 Sceaux"))
    assert response.status_code == 302
    page = client.get(url("verification_code_enter", "sceaux")).content.decode()
    assert "La mairie va vous envoyer une lettre" in page
    client.logout()

    staff = staff_client(agent)
    queue = staff.get(bo("verification_letters", "sceaux")).content.decode()
    assert "Camille MARTIN" in queue and "12 rue Houdan" in queue
    printed = staff.post(bo("verification_letters", "sceaux")).content.decode()
    code = re.search(r'class="code">(\d{6})<', printed).group(1)
    assert "12 rue Houdan" in printed and "/compte/residence/sceaux/code/saisir/" in printed
    queue = staff.get(bo("verification_letters", "sceaux")).content.decode()
    assert "Aucune lettre en attente." in queue and "Imprimer de nouveau" in queue
    staff.logout()

    client.force_login(resident)
    response = client.post(url("verification_code_enter", "sceaux"), {"code": code})
    assert response.status_code == 302
    assert verification.is_verified(user=resident, organisation=sceaux)


# Back-office --------------------------------------------------------------------------------------------

def test_desk_verification_by_an_agent(staff_client, agent, resident, sceaux):
    staff = staff_client(agent)
    page = staff.get(bo("verification_desk", "sceaux")).content.decode()
    assert "Vérifier un habitant au guichet" in page
    response = staff.post(bo("verification_desk", "sceaux"), {
        "email": "RESIDENT@example.org", **identity(), "document_checked": "on"})
    assert response.status_code == 302
    found = Verification.objects.get(user=resident)
    assert found.method == "desk" and found.verified_by == agent and found.birth_date == BORN


def test_desk_requires_the_document_check_and_an_existing_account(staff_client, agent, sceaux):
    staff = staff_client(agent)
    response = staff.post(bo("verification_desk", "sceaux"), {"email": "nobody@example.org", **identity()})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Aucun compte n’a cette adresse e-mail" in page and "Ce champ est obligatoire" in page


def test_desk_names_the_account_already_holding_the_identity(staff_client, agent, resident, census):
    other = testing.UserFactory(email="autre@example.org")
    verification.census_check(user=other, organisation=census, last_name="Martin", first_name="Camille",
                              birth_date=BORN)
    staff = staff_client(agent)
    response = staff.post(bo("verification_desk", "sceaux"), {
        "email": resident.email, **identity(), "document_checked": "on"})
    assert response.status_code == 400
    assert "Un autre compte (autre@example.org)" in response.content.decode()


def test_overview_counts_by_method_and_revoke(staff_client, agent, resident, sceaux):
    verification.desk_verify(agent=agent, user=resident, organisation=sceaux, last_name="Martin",
                             first_name="Camille", birth_date=BORN)
    staff = staff_client(agent)
    page = staff.get(bo("verification_overview", "sceaux")).content.decode()
    assert "Habitants vérifiés de Sceaux" in page
    assert "<td>Au guichet</td><td>1</td>" in page
    assert "resident@example.org" in page and "Martin" not in page and "1985" not in page
    found = Verification.objects.get(user=resident)
    assert "Révoquer la vérification" in staff.get(bo("verification_revoke", "sceaux", found.pk)).content.decode()
    staff.post(bo("verification_revoke", "sceaux", found.pk))
    assert not verification.is_verified(user=resident, organisation=sceaux)


def test_agent_turns_methods_on(staff_client, agent, sceaux):
    staff = staff_client(agent)
    response = staff.post(bo("verification_overview", "sceaux"), {"sms_enabled": "on"})
    assert response.status_code == 302
    setup = verification.setup_for(organisation=sceaux)
    assert setup.sms_enabled and not setup.post_enabled


def test_census_upload_page_reports_lines_and_replaces(staff_client, admin_sceaux, sceaux):
    staff = staff_client(admin_sceaux)
    bad = SimpleUploadedFile("liste.csv", b"nom;prenom;naissance\nMartin;Camille;14/07/1985\nDurand;Luc;hier\n")
    response = staff.post(bo("verification_census", "sceaux"), {"file": bad})
    assert response.status_code == 400
    assert "Ligne 3\u00a0: «\u00a0hier\u00a0» n’est pas une date de naissance" in response.content.decode()
    good = SimpleUploadedFile("liste.csv", CSV)
    response = staff.post(bo("verification_census", "sceaux"), {"file": good}, follow=True)
    assert "La liste des habitants est remplacée\u00a0: 1 personne" in response.content.decode()
    assert verification.setup_for(organisation=sceaux).census_size == 1
    response = staff.post(bo("verification_census", "sceaux"),
                          {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00")})
    assert response.status_code == 400


def test_census_delete(staff_client, agent, census):
    staff = staff_client(agent)
    staff.post(bo("verification_census_delete", "sceaux"))
    assert not verification.setup_for(organisation=census).has_census


def test_territory_page_lists_its_communes(staff_client, metropole_admin, sceaux):
    staff = staff_client(metropole_admin)
    page = staff.get(bo("verification_overview", sceaux.parent.slug)).content.decode()
    assert bo("verification_overview", "sceaux") in page
    assert staff.get(bo("verification_desk", sceaux.parent.slug)).status_code == 404


@pytest.mark.parametrize("name", ["verification_overview", "verification_desk", "verification_census",
                                  "verification_letters", "verification_census_delete"])
def test_outsider_and_elected_cannot_open_the_pages(staff_client, outsider, elected, sceaux, name):
    assert staff_client(outsider).get(bo(name, "sceaux")).status_code == 403
    assert staff_client(elected).get(bo(name, "sceaux")).status_code == 403


def test_outsider_cannot_verify_print_or_revoke_in_another_commune(staff_client, outsider, agent, resident,
                                                                   sceaux):
    verification.setup_update(agent=agent, organisation=sceaux, sms_enabled=False, post_enabled=True)
    verification.code_request_post(user=resident, organisation=sceaux, last_name="Martin", first_name="Camille",
                                   birth_date=BORN, postal_address="12 rue Houdan, 92330 Sceaux")
    staff = staff_client(outsider)
    response = staff.post(bo("verification_desk", "sceaux"), {"email": resident.email, **identity(),
                                                               "document_checked": "on"})
    assert response.status_code == 403
    assert staff.post(bo("verification_letters", "sceaux")).status_code == 403
    assert verification.letters_waiting(organisation=sceaux).count() == 1
    found = verification.desk_verify(agent=agent, user=resident, organisation=sceaux, last_name="Martin",
                                     first_name="Camille", birth_date=BORN)
    # Through the outsider's own commune: the verification is not found there.
    assert staff.post(bo("verification_revoke", "montreuil", found.pk)).status_code == 404
    assert staff.post(bo("verification_revoke", "sceaux", found.pk)).status_code == 403
    assert verification.is_verified(user=resident, organisation=sceaux)


def test_staff_without_second_factor_is_sent_to_it(client, agent):
    client.force_login(agent)
    response = client.get(bo("verification_overview", "sceaux"))
    assert response.status_code == 302 and "reauthenticate" in response["Location"]


def test_letters_bad_input_and_cancel(staff_client, agent, outsider, resident, sceaux):
    verification.setup_update(agent=agent, organisation=sceaux, sms_enabled=False, post_enabled=True)
    request = verification.code_request_post(user=resident, organisation=sceaux, last_name="Martin",
                                             first_name="Camille", birth_date=BORN,
                                             postal_address="12 rue Houdan, 92330 Sceaux")
    assert staff_client(outsider).post(bo("verification_letter_cancel", "montreuil", request.pk)).status_code == 404
    staff = staff_client(agent)
    response = staff.post(bo("verification_letters", "sceaux"), {"again": "abc"}, follow=True)
    assert "Aucune lettre en attente." in response.content.decode()
    assert verification.letters_waiting(organisation=sceaux).count() == 1
    staff.post(bo("verification_letter_cancel", "sceaux", request.pk))
    assert not verification.letters_waiting(organisation=sceaux).exists()
    request.refresh_from_db()
    assert request.cancelled_at is not None and request.postal_address == ""


class BrokenSms:
    def send(self, *, phone, message):
        raise ConnectionError("gateway down")


def test_a_failing_sms_gateway_is_no_500(client, resident, sceaux, settings, django_capture_on_commit_callbacks):
    settings.CONCERTO_SMS_BACKEND = f"{__name__}.BrokenSms"
    verification.setup_update(agent=None, organisation=sceaux, sms_enabled=True, post_enabled=False)
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("verification_code_request", "sceaux"), identity(par="sms", phone="0612345678"))
    assert response.status_code == 302


def test_a_commune_without_online_methods_points_to_the_desk(client, resident, montreuil):
    client.force_login(resident)
    page = client.get(url("verification_start", "montreuil")).content.decode()
    assert "Cette commune ne propose pas encore la vérification en ligne." in page
    assert "guichet de la mairie de Montreuil" in page
