"""Web push (push.py): a device subscribes on the settings page, the worker sends it an encrypted, VAPID-signed
message (checked by a local fake push service that decrypts it with the browser's key), a device the push
service says is gone (410) is forgotten, a push service in trouble (5xx) is tried again, and /sw.js is the
service worker that shows the messages."""

import json
import os

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.urls import reverse

from concerto.core.accounts.services import account_delete, account_export
from concerto.core.participation.models import Notification, PushSubscription
from concerto.core.participation.notifications import notification_preferences, notification_send
from concerto.core.participation.push import b64url as b64
from concerto.core.participation.push import b64url_decode as unb64
from concerto.core.participation.push import vapid_public_key
from concerto.localserver import LocalServer

pytestmark = pytest.mark.django_db
KEY = b64(bytes(range(1, 33)))


class Browser:
    """A browser's side of a push subscription: its key pair and auth secret, to decrypt what it receives."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.p256dh = b64(self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth))


class FakePushService:
    """A push service: records each POST; answers STATUSES in turn (then 201)."""

    def __init__(self, *statuses):
        import http.server

        self.received, self.statuses = [], list(statuses)
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                LocalServer.reply(self, fake.statuses.pop(0) if fake.statuses else 201, b"", "text/plain")

            def log_message(self, *args):
                pass

        self.server = LocalServer(Handler)

    def __enter__(self):
        self.server.start()
        self.url = self.server.url
        return self

    def __exit__(self, *exc):
        self.server.stop()


@pytest.fixture
def push_on(settings):
    settings.CONCERTO_VAPID_PRIVATE_KEY = KEY
    settings.CONCERTO_VAPID_SUBJECT = "mailto:contact@example.org"
    settings.CONCERTO_PUSH_ALLOW_HTTP = True


def _verified_jwt(token: str, public_key: str) -> dict:
    """The claims of the VAPID JWT TOKEN, once its ES256 signature is checked against PUBLIC_KEY."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    head, body, signature = token.split(".")
    raw = unb64(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public_key))
    key.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
               f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    return json.loads(unb64(body))


def _subscribe(user, endpoint, browser):
    return PushSubscription.objects.create(user=user, endpoint=endpoint, p256dh=browser.p256dh,
                                           auth=b64(browser.auth))


def _want_push(client, user, verb="comment.replied"):
    """USER ticks push for VERB on the settings page, keeping the other choices as they are."""
    client.force_login(user)
    wanted = [f"{kind.verb} {name}" for kind, channels in notification_preferences(user)
              for name, on in channels.items() if on] + [f"{verb} push"]
    client.post(reverse("accounts:notification_settings"), {"wanted": wanted})


def test_push_is_offered_for_every_kind_off_by_default_and_only_with_keys(settings, client, resident, push_on):
    assert all(channels.get("push") is False for kind, channels in notification_preferences(resident)
               if kind.opt_in_channels)
    # A kind that never pushes (the newsletters, by email only) does not offer it.
    assert all("push" not in channels for kind, channels in notification_preferences(resident)
               if not kind.opt_in_channels)
    client.force_login(resident)
    page = client.get(reverse("accounts:notification_settings")).content.decode()
    assert 'value="comment.replied push"' in page and "Activer les notifications sur cet appareil" in page
    assert f'data-key="{vapid_public_key()}"' in page
    _want_push(client, resident)
    choices = {kind.verb: channels for kind, channels in notification_preferences(resident)}
    assert choices["comment.replied"] == {"site": True, "email": True, "push": True}
    assert choices["news.published"]["push"] is False
    settings.CONCERTO_VAPID_PRIVATE_KEY = "not a key"  # a bad key turns push off (logged), never a 500
    assert "push-device" not in client.get(reverse("accounts:notification_settings")).content.decode()
    settings.CONCERTO_VAPID_PRIVATE_KEY = ""
    settings.DEBUG = False
    assert "push" not in dict(notification_preferences(resident)[0][1])
    assert "push-device" not in client.get(reverse("accounts:notification_settings")).content.decode()


def test_the_worker_sends_an_encrypted_vapid_signed_message_to_each_device(
        client, resident, neighbour, push_on, django_capture_on_commit_callbacks):
    browser = Browser()
    _want_push(client, resident)
    with FakePushService() as service:
        _subscribe(resident, f"{service.url}/push/abc", browser)
        _subscribe(neighbour, f"{service.url}/push/other", Browser())  # did not ask for push: nothing
        with django_capture_on_commit_callbacks(execute=True):
            notification_send(recipients=[resident, neighbour], verb="comment.replied",
                              title="Réponse à votre commentaire", body="Jean vous a répondu.", url="/sceaux/")
    (path, headers, body), = service.received
    assert path == "/push/abc" and headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=") and f"k={vapid_public_key()}" in headers["authorization"]
    claims = _verified_jwt(headers["authorization"].split("t=", 1)[1].split(",", 1)[0], vapid_public_key())
    assert claims["aud"] == service.url and claims["sub"] == "mailto:contact@example.org"
    assert "Réponse" not in body.decode("latin-1")  # encrypted for the browser
    message = browser.decrypt(body)
    assert message["title"] == "Réponse à votre commentaire" and message["body"] == "Jean vous a répondu."
    assert message["url"].endswith("/sceaux/")
    assert PushSubscription.objects.get(user=resident).last_success_at is not None


def test_a_device_the_push_service_says_is_gone_is_forgotten(
        client, resident, push_on, django_capture_on_commit_callbacks):
    _want_push(client, resident)
    with FakePushService(410) as service:
        _subscribe(resident, f"{service.url}/gone", Browser())
        _subscribe(resident, f"{service.url}/here", Browser())
        with django_capture_on_commit_callbacks(execute=True):
            notification_send(recipients=[resident], verb="comment.replied", title="Réponse")
    assert [path for path, _h, _b in service.received] == ["/gone", "/here"]
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [f"{service.url}/here"]
    assert Notification.objects.filter(recipient=resident).count() == 1  # the site row is there all the same


def test_a_push_service_in_trouble_is_tried_again_for_the_devices_left_only(
        client, resident, push_on, caplog, django_capture_on_commit_callbacks):
    _want_push(client, resident)
    with FakePushService(503) as service:
        _subscribe(resident, f"{service.url}/busy", Browser())
        _subscribe(resident, f"{service.url}/fine", Browser())
        # The immediate task backend of the tests runs the retry at once; the database one waits (see
        # test_notification_pipeline).
        with django_capture_on_commit_callbacks(execute=True):
            notification_send(recipients=[resident], verb="comment.replied", title="Réponse")
    assert [path for path, _h, _b in service.received] == ["/busy", "/fine", "/busy"]
    assert "Delivery failed (attempt 1" in caplog.text
    assert PushSubscription.objects.filter(last_success_at__isnull=False).count() == 2


def test_subscribe_and_unsubscribe_a_device(client, resident, neighbour, push_on):
    browser = Browser()
    url, off = reverse("accounts:push_subscribe"), reverse("accounts:push_unsubscribe")
    subscription = {"endpoint": "https://push.example.net/send/1", "keys": {"p256dh": browser.p256dh,
                                                                            "auth": b64(browser.auth)}}
    assert client.post(url, json.dumps(subscription), content_type="application/json").status_code == 302
    client.force_login(resident)
    bad = client.post(url, "{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"] == "Cet abonnement aux notifications n’est pas valide."
    wrong_keys = dict(subscription, keys={"p256dh": "abc", "auth": "def"})
    assert client.post(url, json.dumps(wrong_keys), content_type="application/json").status_code == 400
    local = dict(subscription, endpoint="file:///etc/passwd")
    assert client.post(url, json.dumps(local), content_type="application/json").status_code == 400
    response = client.post(url, json.dumps(subscription), content_type="application/json")
    assert response.status_code == 201 and "activées sur cet appareil" in response.json()["message"]
    assert PushSubscription.objects.get().user == resident
    PushSubscription.objects.create(user=neighbour, endpoint="https://push.example.net/send/2", p256dh="x", auth="y")
    client.post(off, json.dumps({"endpoint": "https://push.example.net/send/2"}), content_type="application/json")
    assert PushSubscription.objects.filter(user=neighbour).exists()  # another person's device stays
    response = client.post(off, json.dumps({"endpoint": subscription["endpoint"]}), content_type="application/json")
    assert response.status_code == 200 and not PushSubscription.objects.filter(user=resident).exists()


def test_push_subscriptions_are_in_the_export_and_go_with_the_account(resident, push_on):
    PushSubscription.objects.create(user=resident, endpoint="https://push.example.net/send/9", p256dh="x", auth="y")
    exported = json.dumps(account_export(user=resident), default=str)
    assert "https://push.example.net/send/9" in exported
    account_delete(user=resident)
    assert not PushSubscription.objects.exists()


def test_the_service_worker_is_served_from_the_root_as_javascript(client, resident):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    assert 'addEventListener("push"' in script and "showNotification" in script and "notificationclick" in script
    client.force_login(resident)
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert "participation/push" in page  # the script that registers /sw.js, on the pages of signed-in people


def test_the_privacy_page_names_the_browsers_push_services(client):
    page = client.get(reverse("page_privacy")).content.decode()
    assert "Le service push de l’éditeur de votre navigateur" in page
