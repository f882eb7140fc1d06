"""Resident verification, the services: identity hashes, census lists, codes, desk, minimum age, RGPD."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from concerto import testing
from concerto.core.accounts import verification
from concerto.core.accounts.models import CensusEntry, Verification, VerificationCode, VerificationSetup
from concerto.core.accounts.services import account_delete, account_export
from concerto.core.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

BORN = datetime.date(1985, 7, 14)
CSV = "nom;prénom;date de naissance\nMartin;Camille;14/07/1985\nDupont;Jean-Pierre;1950-01-02\n"


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def codes_on(setup_org, **flags):
    setup = verification.setup_for(organisation=setup_org)
    for name, value in flags.items():
        setattr(setup, name, value)
    setup.save()
    return setup


# Identity hashes --------------------------------------------------------------------------------------

def test_same_person_same_hash_whatever_accents_case_spaces_and_hyphens(sceaux):
    one = verification.identity_hash(organisation=sceaux, last_name="Le Goff", first_name="Hélène",
                                     birth_date=BORN)
    assert one == verification.identity_hash(organisation=sceaux, last_name="LEGOFF ", first_name="helene",
                                             birth_date=BORN)
    assert one == verification.identity_hash(organisation=sceaux, last_name="le-goff", first_name="HÉLÈNE",
                                             birth_date=BORN)
    assert verification.identity_hash(organisation=sceaux, last_name="Roux", first_name="Jean-Pierre",
                                      birth_date=BORN) == verification.identity_hash(
        organisation=sceaux, last_name="Roux", first_name="jean pierre", birth_date=BORN)
    assert one != verification.identity_hash(organisation=sceaux, last_name="Le Goff", first_name="Hélène",
                                             birth_date=datetime.date(1985, 7, 15))


def test_hash_is_salted_per_organisation_and_stable(sceaux, montreuil):
    here = verification.identity_hash(organisation=sceaux, last_name="Martin", first_name="Camille",
                                      birth_date=BORN)
    there = verification.identity_hash(organisation=montreuil, last_name="Martin", first_name="Camille",
                                       birth_date=BORN)
    assert here != there
    assert len(VerificationSetup.objects.get(organisation=sceaux).salt) == 64
    assert here == verification.identity_hash(organisation=sceaux, last_name="Martin", first_name="Camille",
                                              birth_date=BORN)


# Census list ------------------------------------------------------------------------------------------

def identities(organisation) -> set:
    return set(CensusEntry.objects.filter(organisation=organisation).values_list("identity_hash", flat=True))


def test_census_stores_only_hashes_and_keeps_them_across_uploads(census, agent):
    stored = identities(census)
    assert len(stored) == 2
    assert verification.identity_hash(organisation=census, last_name="martin", first_name="camille",
                                      birth_date=BORN) in stored
    assert all(len(h) == 64 for h in stored)
    # Same people, another layout: comma, BOM, English headers, other column order.
    again = "\ufeffDate of birth,First name,Last name\n1985-07-14,Camille,MARTIN\n02/01/1950,Jean Pierre,Dupont\n"
    verification.census_upload(agent=agent, organisation=census, data=again.encode())
    assert identities(census) == stored


def test_first_name_used_is_enough_and_the_full_identity_is_recorded(sceaux, agent, resident):
    verification.census_upload(agent=agent, organisation=sceaux,
                               data="nom,prénoms,né le\nMartin,Marie Claire Anne,14/07/1985\n".encode())
    found = verification.census_check(user=resident, organisation=sceaux, last_name="Martin",
                                      first_name="Marie", birth_date=BORN)
    # A paper ballot keyed with every first name names the same person.
    assert found.identity_hash == verification.identity_hash(
        organisation=sceaux, last_name="MARTIN", first_name="Marie-Claire Anne", birth_date=BORN)


def test_twins_sharing_a_first_name_must_type_all_of_them(sceaux, agent, resident):
    data = "nom;prenom;naissance\nMartin;Marie Anne;14/07/1985\nMartin;Marie Claire;14/07/1985\n"
    verification.census_upload(agent=agent, organisation=sceaux, data=data.encode())
    with pytest.raises(ValidationError) as error:
        verification.census_check(user=resident, organisation=sceaux, last_name="Martin", first_name="Marie",
                                  birth_date=BORN)
    assert error.value.code == "ambiguous"
    found = verification.census_check(user=resident, organisation=sceaux, last_name="Martin",
                                      first_name="Marie Claire", birth_date=BORN)
    assert found.method == Verification.Method.CENSUS


def test_census_upload_replaces_the_list(census, agent):
    verification.census_upload(agent=agent, organisation=census,
                               data=b"nom;prenom;naissance\nNouveau;Paul;01/01/2000\n")
    assert len(identities(census)) == 1
    assert VerificationSetup.objects.get(organisation=census).census_size == 1


def test_census_errors_name_their_lines_and_nothing_changes(census, agent):
    bad = ("nom;prénom;date de naissance\nMartin;Camille;14/07/1985\n;Paul;01/01/2000\n"
           "Durand;;01/01/2000\nPetit;Luc;31/02/1990\nSeul\n")
    with pytest.raises(ValidationError) as error:
        verification.census_upload(agent=agent, organisation=census, data=bad.encode())
    messages = error.value.messages
    assert messages[0].startswith("Ligne 3") and "nom de famille" in messages[0]
    assert messages[1].startswith("Ligne 4") and "prénom" in messages[1]
    assert messages[2].startswith("Ligne 5") and "31/02/1990" in messages[2]
    assert messages[3].startswith("Ligne 6")
    assert len(identities(census)) == 2


@pytest.mark.parametrize("data, expected", [
    (b"", "Le fichier est vide."),
    (b"name;age\nMartin;40\n", "Ligne 1"),
    (b"nom;prenom;naissance\n", "ne contient personne"),
    (b"\x00\xff\xfe garbage", "Ligne 1"),
])
def test_census_bad_files_get_a_clear_error(sceaux, agent, data, expected):
    with pytest.raises(ValidationError) as error:
        verification.census_upload(agent=agent, organisation=sceaux, data=data)
    assert expected in " ".join(error.value.messages)


def test_census_accepts_windows_1252_from_excel(sceaux, agent):
    data = "Nom;Prénom;Né le\nHélie;Zoé;03/04/1990\n".encode("cp1252")
    verification.census_upload(agent=agent, organisation=sceaux, data=data)
    assert identities(sceaux) == {verification.identity_hash(
        organisation=sceaux, last_name="Helie", first_name="Zoe", birth_date=datetime.date(1990, 4, 3))}


def test_census_match_verifies_and_records_birth_date(census, resident):
    found = verification.census_check(user=resident, organisation=census, last_name="MARTIN",
                                      first_name="camille", birth_date=BORN)
    assert found.method == Verification.Method.CENSUS and found.birth_date == BORN
    assert verification.is_verified(user=resident, organisation=census)
    assert AuditEntry.objects.filter(action="verification.granted", organisation=census).exists()


def test_census_no_match_is_refused_and_tries_are_limited(census, resident):
    for _ in range(verification.CENSUS_FAILURES_LIMIT[0]):
        with pytest.raises(ValidationError) as error:
            verification.census_check(user=resident, organisation=census, last_name="Martin",
                                      first_name="Camille", birth_date=datetime.date(1985, 7, 15))
        assert error.value.code == "not_found"
    # Even the right date is refused now: no trying every date of birth.
    with pytest.raises(ValidationError) as error:
        verification.census_check(user=resident, organisation=census, last_name="Martin",
                                  first_name="Camille", birth_date=BORN)
    assert error.value.code == "too_many_tries"
    assert not verification.is_verified(user=resident, organisation=census)


def test_identity_already_used_by_another_account_is_refused(census, resident):
    verification.census_check(user=resident, organisation=census, last_name="Martin", first_name="Camille",
                              birth_date=BORN)
    other = testing.UserFactory()
    with pytest.raises(ValidationError) as error:
        verification.census_check(user=other, organisation=census, last_name="Martin", first_name="Camille",
                                  birth_date=BORN)
    assert error.value.code == "identity_taken"
    assert "guichet" in error.value.messages[0]
    assert not verification.is_verified(user=other, organisation=census)


def test_a_revoked_identity_can_be_verified_again_by_another_account(census, resident, agent):
    first = verification.census_check(user=resident, organisation=census, last_name="Martin",
                                      first_name="Camille", birth_date=BORN)
    verification.verification_revoke(agent=agent, verification=first)
    assert not verification.is_verified(user=resident, organisation=census)
    other = testing.UserFactory()
    verification.census_check(user=other, organisation=census, last_name="Martin", first_name="Camille",
                              birth_date=BORN)
    assert verification.is_verified(user=other, organisation=census)


# Codes ------------------------------------------------------------------------------------------------

def _code_in(outbox) -> str:
    return outbox[-1]["message"].split()[0]


def test_sms_code_is_sent_hashed_and_verifies(sceaux, resident, sms_outbox, django_capture_on_commit_callbacks):
    codes_on(sceaux, sms_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        request = verification.code_request_sms(user=resident, organisation=sceaux, last_name="Martin",
                                                first_name="Camille", birth_date=BORN, phone="06 12 34 56 78")
    assert sms_outbox[0]["phone"] == "+33612345678"
    code = _code_in(sms_outbox)
    assert len(code) == 6 and code.isdigit()
    request.refresh_from_db()
    assert code not in request.code_hash and request.phone_hash and "0612" not in request.phone_hash
    assert request.expires_at - request.sent_at == datetime.timedelta(minutes=15)
    found = verification.code_confirm(user=resident, organisation=sceaux, code=code)
    assert found.method == Verification.Method.CODE and found.birth_date == BORN
    assert found.identity_hash == verification.identity_hash(organisation=sceaux, last_name="Martin",
                                                             first_name="Camille", birth_date=BORN)


def test_no_sms_is_sent_when_the_request_rolls_back(sceaux, resident, sms_outbox):
    codes_on(sceaux, sms_enabled=True)
    verification.code_request_sms(user=resident, organisation=sceaux, last_name="Martin",
                                  first_name="Camille", birth_date=BORN, phone="0612345678")
    assert sms_outbox == []  # the test's transaction never commits


def test_wrong_code_counts_tries_then_locks(sceaux, resident, sms_outbox, django_capture_on_commit_callbacks):
    codes_on(sceaux, sms_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        verification.code_request_sms(user=resident, organisation=sceaux, last_name="Martin",
                                      first_name="Camille", birth_date=BORN, phone="0612345678")
    code = _code_in(sms_outbox)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as error:
            verification.code_confirm(user=resident, organisation=sceaux, code=wrong)
        assert error.value.code == "wrong" and str(left) in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        verification.code_confirm(user=resident, organisation=sceaux, code=wrong)
    assert "dernier essai" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        verification.code_confirm(user=resident, organisation=sceaux, code=code)
    assert error.value.code == "too_many_tries"
    assert not verification.is_verified(user=resident, organisation=sceaux)


def test_expired_code_is_refused(sceaux, resident, sms_outbox, django_capture_on_commit_callbacks):
    codes_on(sceaux, sms_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        request = verification.code_request_sms(user=resident, organisation=sceaux, last_name="Martin",
                                                first_name="Camille", birth_date=BORN, phone="0612345678")
    VerificationCode.objects.filter(pk=request.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError) as error:
        verification.code_confirm(user=resident, organisation=sceaux, code=_code_in(sms_outbox))
    assert error.value.code == "expired"


def test_sms_requests_are_rate_limited(sceaux, resident, sms_outbox):
    codes_on(sceaux, sms_enabled=True)
    for _ in range(verification.SMS_REQUESTS_LIMIT[0]):
        verification.code_request_sms(user=resident, organisation=sceaux, last_name="Martin",
                                      first_name="Camille", birth_date=BORN, phone="0612345678")
    with pytest.raises(ValidationError) as error:
        verification.code_request_sms(user=resident, organisation=sceaux, last_name="Martin",
                                      first_name="Camille", birth_date=BORN, phone="0712345678")
    assert error.value.code == "too_many_tries"


@pytest.mark.parametrize("phone", ["", "12", "01 23 45 67 89", "+44 7911 123456", "06 12 34 56 7"])
def test_sms_needs_a_french_mobile_number(sceaux, resident, phone):
    codes_on(sceaux, sms_enabled=True)
    with pytest.raises(ValidationError) as error:
        verification.code_request_sms(user=resident, organisation=sceaux, last_name="Martin",
                                      first_name="Camille", birth_date=BORN, phone=phone)
    assert error.value.code == "phone"


def test_codes_only_where_the_commune_offers_them(sceaux, resident):
    with pytest.raises(ValidationError) as error:
        verification.code_request_sms(user=resident, organisation=sceaux, last_name="Martin",
                                      first_name="Camille", birth_date=BORN, phone="0612345678")
    assert error.value.code == "unavailable"
    with pytest.raises(ValidationError):
        verification.code_request_post(user=resident, organisation=sceaux, last_name="Martin",
                                       first_name="Camille", birth_date=BORN, postal_address="1 rue Houdan")


def test_post_letter_waits_then_prints_with_a_code_valid_30_days(sceaux, resident, agent):
    codes_on(sceaux, post_enabled=True)
    verification.code_request_post(user=resident, organisation=sceaux, last_name="Martin", first_name="Camille",
                                   birth_date=BORN, postal_address="12 rue Houdan\n92330 Sceaux")
    with pytest.raises(ValidationError) as error:
        verification.code_confirm(user=resident, organisation=sceaux, code="123456")
    assert error.value.code == "not_sent"
    waiting = list(verification.letters_waiting(organisation=sceaux))
    assert [w.recipient for w in waiting] == ["Camille MARTIN"]
    letters = verification.letters_print(agent=agent, organisation=sceaux)
    assert len(letters) == 1 and letters[0]["address"] == "12 rue Houdan\n92330 Sceaux"
    request = VerificationCode.objects.get(user=resident)
    assert request.expires_at - request.sent_at == datetime.timedelta(days=30)
    assert not verification.letters_waiting(organisation=sceaux).exists()
    assert verification.letters_print(agent=agent, organisation=sceaux) == []  # printed once
    verification.code_confirm(user=resident, organisation=sceaux, code=letters[0]["code"])
    assert verification.is_verified(user=resident, organisation=sceaux)
    request.refresh_from_db()
    assert request.recipient == "" and request.postal_address == ""  # erased once the code is used


def test_a_lost_letter_is_printed_again_with_a_new_code(sceaux, resident, agent):
    codes_on(sceaux, post_enabled=True)
    request = verification.code_request_post(user=resident, organisation=sceaux, last_name="Martin",
                                             first_name="Camille", birth_date=BORN,
                                             postal_address="12 rue Houdan\n92330 Sceaux")
    first = verification.letters_print(agent=agent, organisation=sceaux)[0]["code"]
    again = verification.letters_print(agent=agent, organisation=sceaux, reprint_id=request.pk)
    assert again[0]["address"] == "12 rue Houdan\n92330 Sceaux"
    second = again[0]["code"]
    if first != second:
        with pytest.raises(ValidationError):
            verification.code_confirm(user=resident, organisation=sceaux, code=first)
    verification.code_confirm(user=resident, organisation=sceaux, code=second)
    assert verification.is_verified(user=resident, organisation=sceaux)


def test_addresses_of_expired_letters_are_forgotten(sceaux, resident, agent):
    codes_on(sceaux, post_enabled=True)
    request = verification.code_request_post(user=resident, organisation=sceaux, last_name="Martin",
                                             first_name="Camille", birth_date=BORN,
                                             postal_address="12 rue Houdan\n92330 Sceaux")
    verification.letters_print(agent=agent, organisation=sceaux)
    VerificationCode.objects.filter(pk=request.pk).update(expires_at=timezone.now())
    verification.letters_forget_expired(organisation=sceaux)
    request.refresh_from_db()
    assert request.postal_address == "" and request.recipient == ""


def test_paper_and_online_identity_collide_across_methods(census, resident, sms_outbox,
                                                          django_capture_on_commit_callbacks):
    """Verified by code, then someone else tries the same identity on the census list: one person."""
    codes_on(census, sms_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        verification.code_request_sms(user=resident, organisation=census, last_name="Martin",
                                      first_name="Camille", birth_date=BORN, phone="0612345678")
    verification.code_confirm(user=resident, organisation=census, code=_code_in(sms_outbox))
    with pytest.raises(ValidationError) as error:
        verification.census_check(user=testing.UserFactory(), organisation=census, last_name="Martin",
                                  first_name="Camille", birth_date=BORN)
    assert error.value.code == "identity_taken"


# Desk, minimum age, territories -----------------------------------------------------------------------

def test_desk_verification_records_the_agent(sceaux, resident, agent):
    found = verification.desk_verify(agent=agent, user=resident, organisation=sceaux, last_name="Martin",
                                     first_name="Camille", birth_date=BORN)
    assert found.method == Verification.Method.DESK and found.verified_by == agent


def test_minimum_age_uses_the_recorded_birth_date(sceaux, resident, agent):
    verification.desk_verify(agent=agent, user=resident, organisation=sceaux, last_name="Martin",
                             first_name="Camille", birth_date=datetime.date(2010, 6, 15))
    assert verification.is_verified(user=resident, organisation=sceaux, min_age=16,
                                    on=datetime.date(2026, 6, 15))
    assert not verification.is_verified(user=resident, organisation=sceaux, min_age=16,
                                        on=datetime.date(2026, 6, 14))
    assert verification.is_verified(user=resident, organisation=sceaux)


def test_minimum_age_without_a_birth_date_is_not_met(sceaux, resident, agent):
    verification.verification_grant(agent=agent, user=resident, organisation=sceaux,
                                    method=Verification.Method.DESK)
    assert not verification.is_verified(user=resident, organisation=sceaux, min_age=16)


def test_a_resident_of_a_commune_is_a_resident_of_its_territory_not_of_another(sceaux, montreuil, resident, agent):
    verification.desk_verify(agent=agent, user=resident, organisation=sceaux, last_name="Martin",
                             first_name="Camille", birth_date=BORN)
    assert verification.is_verified(user=resident, organisation=sceaux.parent)
    assert not verification.is_verified(user=resident, organisation=montreuil)


def test_verification_url_keeps_only_local_next(sceaux):
    url = verification.verification_url(organisation=sceaux, next_url="/sceaux/budget/voter/")
    assert url == "/compte/residence/sceaux/?next=%2Fsceaux%2Fbudget%2Fvoter%2F"
    assert verification.verification_url(organisation=sceaux, next_url="https://evil.example/") == \
        "/compte/residence/sceaux/"
    assert verification.verification_url(organisation=sceaux, next_url="//evil.example/") == \
        "/compte/residence/sceaux/"
    assert verification.verification_url(organisation=sceaux.parent).startswith("/compte/residence/?scope=")


# RGPD -------------------------------------------------------------------------------------------------

def test_export_lists_verifications_and_deletion_erases_them(sceaux, resident, agent):
    verification.desk_verify(agent=agent, user=resident, organisation=sceaux, last_name="Martin",
                             first_name="Camille", birth_date=BORN)
    data = account_export(user=resident)
    assert data["verifications"] == [{
        "organisation": "Sceaux", "method": "desk", "verified_at": data["verifications"][0]["verified_at"],
        "birth_date": "1985-07-14", "revoked_at": None}]
    account_delete(user=resident)
    assert not Verification.objects.filter(organisation=sceaux).exists()
    assert not AuditEntry.objects.filter(target_repr__contains="resident@example.org").exists()


@pytest.mark.django_db(transaction=True)
def test_one_identity_verifies_one_account_even_at_the_same_moment():
    """Ten accounts claim the same identity at once: exactly one is verified (PostgreSQL only)."""

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs a database server that runs transactions at once (PostgreSQL)")
    sceaux = testing.commune("sceaux")
    agent = testing.persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    verification.census_upload(agent=agent, organisation=sceaux, data=CSV.encode())
    users = [testing.UserFactory() for _ in range(10)]

    def claim(user):
        verification.census_check(user=user, organisation=sceaux, last_name="Martin", first_name="Camille",
                                  birth_date=BORN)
        return "verified"

    outcomes = [outcome.code if isinstance(outcome, ValidationError) else outcome
                for outcome in testing.at_once(claim, users)]
    assert sorted(outcomes, key=str) == ["identity_taken"] * 9 + ["verified"]
    assert Verification.objects.filter(organisation=sceaux, revoked_at__isnull=True).count() == 1
