"""FranceConnect: sign-in and resident verification, end to end against a local fake provider."""

import datetime
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ValidationError
from django.urls import reverse

from concerto import testing
from concerto.core.accounts import verification
from concerto.core.accounts.models import User, Verification
from concerto.core.accounts.tests.fake_franceconnect import CLIENT_ID, CLIENT_SECRET, FakeFranceConnect
from concerto.settings import franceconnect_providers

pytestmark = pytest.mark.django_db

LOGIN = "/compte/franceconnect/login/"
CALLBACK = "/compte/franceconnect/login/callback/"
LOGOUT_RETURN = "/compte/franceconnect/deconnexion/retour/"
# The person the fake provider certifies (fake_franceconnect.DEFAULT_IDENTITY), on Sceaux's census list.
CSV = "nom;prénom;date de naissance\nDubois;Angela Claire Louise;24/08/1962\nMartin;Camille;14/07/1985\n".encode()
VOTE = "/sceaux/budget-2026/budget/1/voter/"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def fc(settings):
    with FakeFranceConnect() as fake:
        settings.SOCIALACCOUNT_PROVIDERS = franceconnect_providers(CLIENT_ID, CLIENT_SECRET, fake.url)
        yield fake


@pytest.fixture
def sceaux_fc(sceaux, agent, fc):
    verification.census_upload(agent=agent, organisation=sceaux, data=CSV)
    verification.setup_update(agent=agent, organisation=sceaux, franceconnect_enabled=True)
    return sceaux


def provider_round(client, response):
    """Follow the browser's trip: Concerto -> FranceConnect (the person signs in) -> Concerto's callback."""
    assert response.status_code == 302, response.content.decode()[:500]
    try:
        urllib.request.build_opener(NoRedirect).open(response["Location"])
    except urllib.error.HTTPError as back:
        location = back.headers["Location"]
    else:
        raise AssertionError("the provider did not redirect")
    callback = urlparse(location)
    assert callback.path == CALLBACK
    return client.get(f"{callback.path}?{callback.query}")


def password_login(client, user):
    response = client.post("/compte/login/", {"login": user.email, "password": testing.PASSWORD})
    assert response.status_code == 302


# Sign-in -----------------------------------------------------------------------------------------------

def test_the_sign_in_page_offers_franceconnect_only_when_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert "FranceConnect" not in client.get("/compte/login/").content.decode()
    assert client.post(LOGIN, {"process": "login"}).status_code == 404
    settings.SOCIALACCOUNT_PROVIDERS = franceconnect_providers(CLIENT_ID, CLIENT_SECRET, "http://127.0.0.1:9")
    page = client.get("/compte/login/").content.decode()
    assert_franceconnect_button(page, LOGIN)


def assert_franceconnect_button(page: str, action: str) -> None:
    """FranceConnect's button as its rules say: a button reading « S'identifier avec » then « FranceConnect »,
    posting to ACTION, and the « Qu'est-ce que FranceConnect ? » link to franceconnect.gouv.fr under it."""
    import re

    block = re.search(r'<div class="fc-connect">(.*?)</div>', page, re.S)
    assert block, "no FranceConnect button"
    block = block[1]
    assert f'<form method="post" action="{action}">' in block
    button = re.search(r'<button type="submit" class="fc-button">(.*?)</button>', block, re.S)[1]
    label = " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", button, flags=re.S)).split())
    assert label == "S’identifier avec FranceConnect"
    assert 'aria-hidden="true"' in button  # the drawn mark is not read out
    link = re.search(r'<a href="https://franceconnect.gouv.fr/"[^>]*>(.*?)</a>', block[block.index("</form>"):], re.S)
    assert link and link[1].startswith("Qu’est-ce que FranceConnect\xa0?") and "nouvelle fenêtre" in link[1]
    assert "accounts/franceconnect" in page and ".css" in page  # its stylesheet, from this site


def test_the_authorize_request_carries_what_franceconnect_requires(client, fc):
    response = client.post(LOGIN, {"process": "login"})
    query = {k: v[0] for k, v in parse_qs(urlparse(response["Location"]).query).items()}
    assert response["Location"].startswith(f"{fc.url}/authorize?")
    assert query["acr_values"] == "eidas1"
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert len(query["nonce"]) >= 32 and len(query["state"]) >= 8
    assert set(query["scope"].split()) == {"openid", "given_name", "family_name", "birthdate", "birthplace",
                                           "birthcountry", "gender", "preferred_username", "email"}
    assert query["redirect_uri"] == f"http://testserver{CALLBACK}"


def test_a_newcomer_signs_up_with_franceconnect_under_a_default_public_name(client, fc):
    response = provider_round(client, client.post(LOGIN, {"process": "login"}))
    assert response.status_code == 302
    user = User.objects.get(email="wossewodda-3728@yopmail.com")
    assert client.get("/compte/profil/").status_code == 200  # signed in
    # The real name is never made public: a « Participant NNNN » until the person picks a name.
    assert user.public_name.startswith("Participant ")
    assert "Dubois" not in user.public_name
    assert EmailAddress.objects.get(user=user).verified
    linked = SocialAccount.objects.get(user=user)
    assert linked.uid == fc.identity["sub"]
    assert linked.extra_data == {"sub": fc.identity["sub"]}  # no name, birth date or place kept


def test_a_confirmed_residents_account_is_linked_by_its_email(client, fc):
    resident = testing.UserFactory(email="wossewodda-3728@yopmail.com")
    provider_round(client, client.post(LOGIN, {"process": "login"}))
    assert SocialAccount.objects.get(provider="franceconnect").user == resident
    assert User.objects.count() == 1


def test_a_staff_account_is_never_opened_through_its_email(client, fc, sceaux):
    testing.persona("wossewodda-3728@yopmail.com", role="agent", organisation=sceaux)
    response = provider_round(client, client.post(LOGIN, {"process": "login"}))
    assert response.status_code == 403
    assert "connectez-vous avec votre mot de passe" in response.content.decode()
    assert not SocialAccount.objects.exists()
    assert "_auth_user_id" not in client.session


def test_staff_signing_in_with_franceconnect_still_type_their_code(client, fc, sceaux):
    agent = testing.persona("wossewodda-3728@yopmail.com", role="agent", organisation=sceaux)
    SocialAccount.objects.create(user=agent, provider="franceconnect", uid=fc.identity["sub"])
    response = provider_round(client, client.post(LOGIN, {"process": "login"}))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_a_state_that_does_not_match_is_refused_in_french(client, fc):
    start = client.post(LOGIN, {"process": "login"})
    forged = start["Location"].replace("state=", "state=x")
    try:
        urllib.request.build_opener(NoRedirect).open(forged)
    except urllib.error.HTTPError as back:
        callback = urlparse(back.headers["Location"])
    response = client.get(f"{callback.path}?{callback.query}")
    assert response.status_code < 500
    assert "La connexion avec FranceConnect n’a pas abouti" in response.content.decode()
    assert not User.objects.exists()


def test_an_id_token_with_another_nonce_is_refused(client, fc):
    fc.tamper = {"nonce": "an-id-token-of-another-session"}
    response = provider_round(client, client.post(LOGIN, {"process": "login"}))
    assert "La connexion avec FranceConnect n’a pas abouti" in response.content.decode()
    assert not User.objects.exists()


def test_a_provider_down_gets_a_french_page_and_no_500(client, settings):
    fake = FakeFranceConnect()
    fake.thread.start()
    fake.stop()  # nothing listens at its address any more
    settings.SOCIALACCOUNT_PROVIDERS = franceconnect_providers(CLIENT_ID, CLIENT_SECRET, fake.url)
    response = client.post(LOGIN, {"process": "login"})
    assert response.status_code == 503
    assert "FranceConnect ne répond pas" in response.content.decode()


def test_signing_out_leaves_franceconnect_with_the_id_token_hint(client, fc):
    provider_round(client, client.post(LOGIN, {"process": "login"}))
    id_token = client.session["franceconnect_id_token"]
    response = client.post("/compte/logout/")
    assert response.status_code == 302
    end = urlparse(response["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{fc.url}/session/end"
    query = {k: v[0] for k, v in parse_qs(end.query).items()}
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://testserver" + LOGOUT_RETURN
    assert len(query["state"]) >= 16
    assert "_auth_user_id" not in client.session


def provider_logout_round(client, response):
    """The browser's trip to FranceConnect's end-session endpoint and back: the return URL it is sent to."""
    try:
        urllib.request.build_opener(NoRedirect).open(response["Location"])
    except urllib.error.HTTPError as back:
        return back.headers["Location"]
    raise AssertionError("the provider did not redirect")


def test_the_way_back_from_franceconnects_logout_checks_the_state(client, fc):
    provider_round(client, client.post(LOGIN, {"process": "login"}))
    back = urlparse(provider_logout_round(client, client.post("/compte/logout/")))
    assert back.path == LOGOUT_RETURN and "state=" in back.query
    response = client.get(f"{back.path}?{back.query}", follow=True)
    assert response.status_code == 200
    assert "Vous êtes aussi déconnecté de FranceConnect." in response.content.decode()
    # Good once: the same return again is refused.
    again = client.get(f"{back.path}?{back.query}")
    assert again.status_code == 400
    assert "Ce retour de FranceConnect n’a pas pu être vérifié" in again.content.decode()


@pytest.mark.parametrize("query", ["", "?state=", "?state=forged-state", "?state=%C3%A9t%C3%A9" + "x" * 500])
def test_a_return_from_franceconnects_logout_without_its_state_changes_nothing(client, fc, query):
    provider_round(client, client.post(LOGIN, {"process": "login"}))
    provider_logout_round(client, client.post("/compte/logout/"))
    user = testing.UserFactory(email="toujours@example.org")
    password_login(client, user)  # someone signed in since: a forged return must not sign them out
    response = client.get(LOGOUT_RETURN + query)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ce retour de FranceConnect n’a pas pu être vérifié" in page and "Rien n’a été modifié" in page
    assert client.session["_auth_user_id"] == str(user.pk)
    assert len(fc.logouts) == 1  # nobody was sent to FranceConnect's logout a second time


def test_signing_out_without_franceconnect_goes_home_and_the_return_page_refuses(client):
    user = testing.UserFactory(email="mot-de-passe@example.org")
    password_login(client, user)
    response = client.post("/compte/logout/")
    assert response["Location"] == "/"
    assert client.get(LOGOUT_RETURN + "?state=anything").status_code == 400


# Verification ------------------------------------------------------------------------------------------

def test_a_resident_verifies_with_franceconnect_end_to_end(client, sceaux_fc):
    user = testing.UserFactory(email="angela@example.org")
    password_login(client, user)
    start = client.get(reverse("accounts:verification_start", args=["sceaux"])).content.decode()
    assert "Avec FranceConnect" in start
    assert_franceconnect_button(start, reverse("accounts:verification_franceconnect", args=["sceaux"]))
    response = client.post(reverse("accounts:verification_franceconnect", args=["sceaux"]), {"next": VOTE})
    back = provider_round(client, response)
    assert back.status_code == 302
    finish = client.get(back["Location"])
    assert finish.status_code == 302 and finish["Location"] == VOTE
    verified = Verification.objects.get(user=user)
    assert verified.method == Verification.Method.FRANCECONNECT
    assert verified.birth_date == datetime.date(1962, 8, 24)
    assert verification.is_verified(user=user, organisation=sceaux_fc)
    assert "franceconnect_identity" not in client.session  # forgotten once used


def test_franceconnect_and_the_census_list_give_the_same_identity_hash(client, sceaux_fc):
    by_census = testing.UserFactory(email="census@example.org")
    first = verification.census_check(user=by_census, organisation=sceaux_fc, last_name="Dubois",
                                      first_name="Angela Claire Louise", birth_date=datetime.date(1962, 8, 24))
    by_fc = testing.UserFactory(email="fc@example.org")
    identity = {"sub": "x", "given_name": "Angela Claire Louise", "family_name": "DUBOIS",
                "birthdate": "1962-08-24", "at": __import__("time").time()}
    with pytest.raises(ValidationError) as refused:
        verification.franceconnect_verify(user=by_fc, organisation=sceaux_fc, identity=identity)
    assert refused.value.code == "identity_taken"  # the same person: one verified account only
    verification.verification_revoke(agent=None, verification=first)
    second = verification.franceconnect_verify(user=by_fc, organisation=sceaux_fc, identity=identity)
    assert second.identity_hash == first.identity_hash
    assert second.identity_hash == verification.identity_hash(
        organisation=sceaux_fc, last_name="Dubois", first_name="Angela Claire Louise",
        birth_date=datetime.date(1962, 8, 24))


def test_an_identity_missing_from_the_census_list_is_not_verified(client, sceaux_fc):
    sceaux_fc_user = testing.UserFactory(email="ailleurs@example.org")
    password_login(client, sceaux_fc_user)
    sceaux_fc.verification_setup.refresh_from_db()
    fc_identity = {"sub": "y", "given_name": "Jean", "family_name": "Ailleurs", "birthdate": "1970-01-01"}
    import time

    with pytest.raises(ValidationError) as refused:
        verification.franceconnect_verify(user=sceaux_fc_user, organisation=sceaux_fc,
                                          identity={**fc_identity, "at": time.time()})
    assert refused.value.code == "not_found"
    with pytest.raises(ValidationError) as expired:
        verification.franceconnect_verify(user=sceaux_fc_user, organisation=sceaux_fc,
                                          identity={**fc_identity, "at": time.time() - 3600})
    assert expired.value.code == "expired"
    assert not Verification.objects.filter(user=sceaux_fc_user).exists()


def test_coming_back_without_a_franceconnect_identity_says_so(client, sceaux_fc):
    user = testing.UserFactory(email="direct@example.org")
    password_login(client, user)
    response = client.get(reverse("accounts:verification_franceconnect_finish", args=["sceaux"]), follow=True)
    assert response.status_code == 200
    assert "Votre identité FranceConnect n’est plus disponible" in response.content.decode()
    assert not Verification.objects.filter(user=user).exists()


def test_franceconnect_can_never_be_a_communes_only_way(sceaux, agent, fc):
    with pytest.raises(ValidationError) as refused:
        verification.setup_update(agent=agent, organisation=sceaux, franceconnect_enabled=True)
    assert refused.value.code == "franceconnect_alone"
    verification.setup_update(agent=agent, organisation=sceaux, sms_enabled=True, franceconnect_enabled=True)
    assert verification.setup_for(organisation=sceaux).offers_franceconnect
    with pytest.raises(ValidationError):
        verification.setup_update(agent=agent, organisation=sceaux, sms_enabled=False)
    assert verification.setup_for(organisation=sceaux).sms_enabled


def test_the_back_office_refuses_franceconnect_alone_with_a_message(client, sceaux, admin_sceaux, fc):
    testing.login_with_mfa(client, admin_sceaux)
    response = client.post(reverse("backoffice:verification_overview", args=["sceaux"]),
                           {"franceconnect_enabled": "on"})
    assert response.status_code == 400
    assert "FranceConnect ne peut pas être la seule façon" in response.content.decode()
    assert not verification.setup_for(organisation=sceaux).franceconnect_enabled


def test_a_commune_without_franceconnect_does_not_offer_it(client, sceaux, agent, fc):
    verification.setup_update(agent=agent, organisation=sceaux, sms_enabled=True)
    user = testing.UserFactory(email="x@example.org")
    password_login(client, user)
    assert "Avec FranceConnect" not in client.get(
        reverse("accounts:verification_start", args=["sceaux"])).content.decode()
    assert client.post(reverse("accounts:verification_franceconnect", args=["sceaux"])).status_code == 404
