"""Limits on tries hold under simultaneous requests: each try is counted and checked under a lock (PostgreSQL,
threads with their own connections). The issue's case: 30 census guesses at once let 8 through the 5 a day."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from concerto import testing
from concerto.core.accounts import verification
from concerto.core.accounts.models import VerificationAttempt, VerificationCode

BORN = datetime.date(1985, 7, 14)
CSV = "nom;prénom;date de naissance\nMartin;Camille;14/07/1985\n"


def _codes(outcomes):
    return sorted(outcome.code if isinstance(outcome, ValidationError) else str(outcome) for outcome in outcomes)


@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_census_guesses_get_exactly_five_looked_up():
    testing.needs_postgresql()
    sceaux = testing.commune("sceaux")
    agent = testing.persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    verification.census_upload(agent=agent, organisation=sceaux, data=CSV.encode())
    guesser = testing.UserFactory()

    def guess(day):
        verification.census_check(user=guesser, organisation=sceaux, last_name="Martin", first_name="Camille",
                                  birth_date=datetime.date(1985, 1, day))
        return "verified"

    outcomes = testing.at_once(guess, range(1, 31))
    assert _codes(outcomes) == ["not_found"] * 5 + ["too_many_tries"] * 25
    assert VerificationAttempt.objects.filter(user=guesser, kind="census").count() == 5
    # The right answer after that is refused too: the day's tries are spent.
    with pytest.raises(ValidationError) as refused:
        verification.census_check(user=guesser, organisation=sceaux, last_name="Martin", first_name="Camille",
                                  birth_date=BORN)
    assert refused.value.code == "too_many_tries"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_text_message_requests_send_no_more_codes_than_the_limits(settings):
    """Three codes an hour per person, three a day per number, however many accounts ask at once."""
    testing.needs_postgresql()
    settings.CONCERTO_SMS_BACKEND = "concerto.core.accounts.verification.MemorySmsBackend"
    verification.MemorySmsBackend.outbox = []
    sceaux = testing.commune("sceaux")
    verification.setup_update(agent=None, organisation=sceaux, sms_enabled=True, post_enabled=False)
    person = testing.UserFactory()

    def ask(n):
        verification.code_request_sms(user=person, organisation=sceaux, last_name="Martin",
                                      first_name="Camille", birth_date=BORN, phone="06 12 34 56 78")
        return "sent"

    assert _codes(testing.at_once(ask, range(12))) == ["sent"] * 3 + ["too_many_tries"] * 9
    # Many accounts naming one number.
    accounts = [testing.UserFactory() for _ in range(12)]

    def ask_as(user):
        verification.code_request_sms(user=user, organisation=sceaux, last_name="Martin", first_name="Camille",
                                      birth_date=BORN, phone="06 99 88 77 66")
        return "sent"

    outcomes = _codes(testing.at_once(ask_as, accounts))
    assert outcomes.count("sent") == 3, outcomes
    assert VerificationCode.objects.filter(phone_hash__isnull=False).count() == 6
    assert len(verification.MemorySmsBackend.outbox) == 6


@pytest.mark.django_db(transaction=True)
def test_simultaneous_letter_requests_queue_no_more_than_the_limit():
    testing.needs_postgresql()
    sceaux = testing.commune("sceaux")
    verification.setup_update(agent=None, organisation=sceaux, sms_enabled=False, post_enabled=True)
    person = testing.UserFactory()

    def ask(n):
        verification.code_request_post(user=person, organisation=sceaux, last_name="Martin",
                                       first_name="Camille", birth_date=BORN,
                                       postal_address=f"{n} rue Houdan\n92330 Sceaux")
        return "queued"

    assert _codes(testing.at_once(ask, range(10))) == ["queued"] * 3 + ["too_many_tries"] * 7
    assert VerificationAttempt.objects.filter(user=person, kind="post").count() == 3
