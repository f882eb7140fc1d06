"""Email bounces (issue 15): the Brevo webhook (secret, idempotent, bad input in French, never a 500), the file
loader, the rule (after N hard bounces no bulk email, soft ones do not count, confirming the address again
resets it) and the person's data."""

import base64
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from concerto.core.participation import bounces
from concerto.core.participation.models import EmailBounceCount

pytestmark = pytest.mark.django_db
URL = "/participation/courriels/rebonds/brevo/"
SECRET = "s3cret-du-webhook"


def _post(body, secret=SECRET, scheme="Bearer"):
    headers = {"HTTP_AUTHORIZATION": f"{scheme} {secret}"} if secret is not None else {}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return Client().post(URL, data=data, content_type="application/json", **headers)


def _event(name="hard_bounce", email="Resident@example.org", message="<m1@smtp-relay.brevo.com>", ts=1765000000):
    return {"event": name, "email": email, "id": 42, "message-id": message, "ts_event": ts,
            "reason": "550 5.1.1 user unknown"}


@override_settings(CONCERTO_BREVO_WEBHOOK_SECRET=SECRET, LANGUAGE_CODE="fr")
def test_hard_bounces_count_once_each_and_three_stop_bulk_email(resident):
    from concerto.core.accounts.models import User

    assert _post(_event()).json() == {"counted": 1, "ignored": 0}
    assert _post(_event()).json() == {"counted": 0, "ignored": 1}  # Brevo's retry of the same event
    assert _post([_event(name="soft_bounce", message="<m2@x>"), _event(name="opened", message="<m3@x>")]).json() \
        == {"counted": 1, "ignored": 1}
    counter = EmailBounceCount.objects.get()
    assert (counter.address, counter.hard_bounces, counter.soft_bounces) == ("resident@example.org", 1, 1)
    assert counter.last_reason == "550 5.1.1 user unknown"
    assert bounces.bulk_email_allowed("resident@example.org")
    assert _post([_event(message="<m4@x>"), _event(name="invalid_email", message="<m5@x>")]).json()["counted"] == 2
    assert not bounces.bulk_email_allowed(" RESIDENT@example.org")
    assert list(bounces.email_deliverable_filter(User.objects.filter(pk=resident.pk))) == []


@override_settings(CONCERTO_BREVO_WEBHOOK_SECRET=SECRET, LANGUAGE_CODE="fr")
def test_basic_auth_with_the_secret_as_password_is_accepted_and_a_wrong_secret_is_not():
    basic = base64.b64encode(f"brevo:{SECRET}".encode()).decode()
    assert _post(_event(), secret=basic, scheme="Basic").status_code == 200
    wrong = _post(_event(message="<other@x>"), secret="devine")
    assert wrong.status_code == 401 and wrong.json() == {"error": "Secret absent ou faux."}
    assert _post(_event(message="<other@x>"), secret=None).status_code == 401
    assert _post(_event(message="<other@x>"), secret="!!!", scheme="Basic").status_code == 401
    assert EmailBounceCount.objects.get().hard_bounces == 1


SHAPE = "Attendu\u00a0: un événement Brevo (un objet JSON) ou une liste d’au plus 1\u00a0000 événements."
FIELDS = "Chaque événement doit avoir un «\u00a0event\u00a0» et une adresse «\u00a0email\u00a0»."


@override_settings(CONCERTO_BREVO_WEBHOOK_SECRET=SECRET, LANGUAGE_CODE="fr")
@pytest.mark.parametrize(("body", "message"), [
    ("{pas du json", "Le corps de la requête n’est pas du JSON."),
    (b"\xff\xfe", "Le corps de la requête n’est pas du JSON."),
    ("[]", SHAPE),
    ("42", SHAPE),
    ({"event": "hard_bounce"}, FIELDS),
    ({"event": "hard_bounce", "email": ["a@b.fr"]}, FIELDS),
    ([{"event": "hard_bounce", "email": "a@b.fr"}, {"event": 3, "email": "c@d.fr"}], FIELDS),
])
def test_bad_input_gets_a_400_in_french_and_counts_nothing(body, message):
    response = _post(body)
    assert response.status_code == 400 and response.json() == {"error": message}
    assert not EmailBounceCount.objects.exists()


def test_without_a_secret_the_webhook_does_not_exist_and_takes_only_posts():
    assert _post(_event()).status_code == 404
    with override_settings(CONCERTO_BREVO_WEBHOOK_SECRET=SECRET):
        assert Client().get(URL).status_code == 405


def test_the_file_loader_counts_each_line_once(tmp_path, resident):
    path = tmp_path / "rebonds.csv"
    path.write_text("email,type,id\nresident@example.org,hard,1\nresident@example.org,soft,2\n"
                    "resident@example.org,,3\n# a comment\n\nautre@example.org,hard,1\n", encoding="utf-8")
    call_command("email_bounces_load", str(path))
    call_command("email_bounces_load", str(path))  # loaded twice: nothing more
    counts = dict(EmailBounceCount.objects.values_list("address", "hard_bounces"))
    assert counts == {"resident@example.org": 2, "autre@example.org": 1}
    bad = tmp_path / "bad.csv"
    bad.write_text("resident@example.org,hard,9\npas-une-adresse,hard\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Ligne 2"):
        call_command("email_bounces_load", str(bad))
    assert EmailBounceCount.objects.get(address="resident@example.org").hard_bounces == 2  # nothing of that file
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("email_bounces_load", str(tmp_path / "absent.csv"))


@override_settings(CONCERTO_EMAIL_HARD_BOUNCES_MAX=2)
def test_confirming_the_address_again_resets_the_count_and_the_limit_comes_from_settings(resident, rf):
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_confirmed

    for n in range(2):
        bounces.email_bounce_record(address=resident.email, kind="hard", key=f"k{n}")
    assert not bounces.bulk_email_allowed(resident.email)
    address = EmailAddress.objects.filter(user=resident).first() or EmailAddress.objects.create(
        user=resident, email=resident.email, verified=True, primary=True)
    email_confirmed.send(sender=EmailAddress, request=rf.get("/"), email_address=address)
    assert bounces.bulk_email_allowed(resident.email)


def test_the_count_is_in_the_persons_export_and_goes_with_their_data(resident):
    from concerto.core.participation import privacy

    bounces.email_bounce_record(address=resident.email, kind="hard", key="k", reason="boîte inconnue")
    exported = privacy.personal_data(resident)["email_bounces"]
    assert exported[0]["hard_bounces"] == 1 and exported[0]["last_reason"] == "boîte inconnue"
    privacy.erase_personal_data(resident)
    assert not EmailBounceCount.objects.exists()
