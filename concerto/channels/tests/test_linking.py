"""Linking a chat to an account: a one-time code asked for on /compte/discussions/, typed in the chat (Messenger
through the fake Graph API); what the chat did before becomes the account's; unlinking; wrong, expired and
reused codes; the web chat of a signed-in person; erasure; the privacy page's processors."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from concerto.channels.models import LinkCode, Message, Participant
from concerto.channels.testing import event, signature
from concerto.channels.tests.conftest import PAGE, SECRET
from concerto.components.consultations.models import Response
from concerto.components.proposals import services as proposals
from concerto.components.proposals.models import Support
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Contribution
from concerto.testing import ComponentFactory, verified_resident

URL = "/canaux/messenger/webhook/"
ACCOUNT = "/compte/discussions/"
PSID = "1254477777772919"


@pytest.fixture
def say(client, django_capture_on_commit_callbacks):
    """SAY(mid, text=, payload=): one Messenger message from PSID, signed, with the sends run as after the commit."""
    def send(mid: str, *, text: str = "", payload: str | None = None, psid: str = PSID):
        body = event("webhook_message_quick_reply.json" if payload else "webhook_message_text.json",
                     page=PAGE, psid=psid, mid=mid, text=text, payload=payload)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.generic("POST", URL, body, content_type="application/json",
                                      headers={"X-Hub-Signature-256": signature(body, SECRET)})
        assert response.status_code == 200
    return send


@pytest.fixture
def idea(space, step, author):
    component = ComponentFactory(space=space, kind="proposals", title="Idées pour Sceaux")
    return proposals.proposal_create(author=author, component=component, title="Des arbres fruitiers",
                                     text="Des pommiers dans chaque cour d'école.")


def answer_in_chat(say, q):
    """Answer CHAT_CONSULTATION to the end on Messenger."""
    say("m2", text="1", payload=f"item:consultations:{q.component.pk}")
    say("m3", text="À pied", payload=f"o:{q.transport.options.get(label='À pied').pk}")
    say("m4a", text="Promenade", payload=f"o:{q.activities.options.get(label='Promenade').pk}")
    say("m4", text="Terminé", payload="done")
    say("m5", text="4", payload="n:4")
    say("m6", text="Une fontaine")


def code_of(client, user) -> str:
    """Sign USER in, ask for a code on their page of chats, and read it as the person would."""
    client.force_login(user)
    html = client.post(ACCOUNT).content.decode()
    return re.search(r"<strong>(\d{4} \d{4})</strong>", html)[1]


@pytest.mark.django_db
def test_the_whole_journey_code_on_the_site_typed_in_messenger_then_supports_then_unlink(
        client, graph, page, chat_consultation, idea, resident, say):
    q = chat_consultation
    say("m1", text="Bonjour")
    assert "Lier mon compte" in [reply["title"] for reply in graph.last_quick_replies()]
    # Before linking: an anonymous answer, and a support refused for want of an account.
    answer_in_chat(say, q)
    response = Response.objects.get(component=q.component, status=Response.Status.SUBMITTED)
    assert response.respondent is None and response.anonymous_key.startswith("chat:messenger:")
    say("m7", text="2", payload=f"item:proposals:{idea.component.pk}")
    say("m8", text="Soutenir la 1", payload=f"s:{idea.pk}")
    assert "Connectez-vous pour soutenir" in " ".join(graph.texts()[-3:])
    assert not Support.objects.exists()

    code = code_of(client, resident)
    say("m9", text="Lier mon compte", payload="link")
    assert "code de 8 chiffres" in graph.texts()[-1]
    say("m10", text=code)
    assert "C’est fait : cette discussion est liée au compte Camille Martin" in graph.texts()[-1]

    participant = Participant.objects.get(platform="messenger")
    assert participant.user == resident and participant.linked_at is not None
    response.refresh_from_db()
    assert response.respondent == resident and response.anonymous_key == ""
    contribution = Contribution.objects.get(kind="consultations.response")
    assert contribution.author == resident and contribution.channel == "chatbot"
    assert AuditEntry.objects.filter(action="channels.linked", actor=resident).exists()
    assert not LinkCode.objects.exists()  # used once
    assert "Lier mon compte" not in [reply["title"] for reply in graph.last_quick_replies()]

    say("m11", text="Menu", payload="menu")
    say("m12", text="2", payload=f"item:proposals:{idea.component.pk}")
    say("m13", text="Soutenir la 1", payload=f"s:{idea.pk}")
    assert "votre soutien à « Des arbres fruitiers » est compté" in " ".join(graph.texts()[-3:])
    support = Support.objects.get(proposal=idea)
    assert support.user == resident and support.channel == "chatbot"

    html = client.get(ACCOUNT).content.decode()
    assert "Messenger" in html and "liée depuis le" in html and PSID not in html
    answer = client.post(f"{ACCOUNT}{participant.pk}/delier/", follow=True)
    assert "La discussion n’est plus liée à votre compte." in answer.content.decode()
    participant.refresh_from_db()
    assert participant.user is None and participant.linked_at is None
    assert AuditEntry.objects.filter(action="channels.unlinked").exists()
    assert Support.objects.get(proposal=idea).user == resident  # done while linked: stays the account's


@pytest.mark.django_db
def test_verification_of_the_account_applies_to_the_chat(client, graph, page, idea, resident, say):
    idea.component.verified_actions = ["support"]
    idea.component.save()
    code = code_of(client, resident)
    say("m1", text="Bonjour")
    say("m2", text="Lier", payload="link")
    say("m3", text=code)
    say("m4", text="1", payload=f"item:proposals:{idea.component.pk}")
    say("m5", text="Soutenir la 1", payload=f"s:{idea.pk}")
    assert "Seuls les habitants vérifiés de Sceaux" in " ".join(graph.texts()[-3:])
    assert not Support.objects.exists()
    verified_resident(resident)
    say("m6", text="1", payload=f"item:proposals:{idea.component.pk}")
    say("m7", text="Soutenir la 1", payload=f"s:{idea.pk}")
    assert Support.objects.get(proposal=idea).user == resident


@pytest.mark.django_db
def test_a_wrong_code_is_refused_then_attempts_are_limited(client, graph, page, resident, say, rate_limits):
    code = code_of(client, resident)
    say("m1", text="Bonjour")
    say("m2", text="LIER")
    wrong = "0000 0000" if code != "0000 0000" else "1111 1111"
    say("m3", text=wrong)
    assert "Ce code n’est pas le bon" in graph.texts()[-1]
    say("m4", text="bonjour")  # not even digits: a wrong try too
    assert "Ce code n’est pas le bon" in graph.texts()[-1]
    for number in range(3):
        say(f"w{number}", text=wrong)
    say("m5", text=code)  # the right code, after 5 wrong ones: refused for now
    assert "Trop de codes erronés" in graph.texts()[-1]
    participant = Participant.objects.get(platform="messenger")
    assert participant.user is None and LinkCode.objects.filter(user=resident).exists()


@pytest.mark.django_db
def test_an_expired_code_is_refused_and_cannot_be_used_again(client, graph, page, resident, say):
    code = code_of(client, resident)
    LinkCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    say("m1", text="Bonjour")
    say("m2", text="Lier", payload="link")
    say("m3", text=code)
    assert "Ce code a expiré (il est valable 10 minutes)" in graph.texts()[-1]
    assert Participant.objects.get(platform="messenger").user is None


@pytest.mark.django_db
def test_a_new_code_replaces_the_previous_one(client, graph, page, resident, say):
    first = code_of(client, resident)
    second = code_of(client, resident)
    say("m1", text="Bonjour")
    say("m2", text="Lier", payload="link")
    if first != second:
        say("m3", text=first)
        assert "Ce code n’est pas le bon" in graph.texts()[-1]
    say("m4", text=second.replace(" ", ""))  # typed without its space
    assert Participant.objects.get(platform="messenger").user == resident


@pytest.mark.django_db
def test_a_code_is_not_stored_in_clear(client, resident):
    code = code_of(client, resident).replace(" ", "")
    row = LinkCode.objects.get(user=resident)
    assert code not in row.code_hash and row.expires_at > timezone.now() + timedelta(minutes=9)


@pytest.mark.django_db
def test_an_outsider_cannot_see_nor_unlink_anothers_chat(client, graph, page, resident, author, say):
    code = code_of(client, resident)
    say("m1", text="Bonjour")
    say("m2", text="Lier", payload="link")
    say("m3", text=code)
    participant = Participant.objects.get(platform="messenger")
    client.force_login(author)
    html = client.get(ACCOUNT).content.decode()
    assert "Aucune discussion n’est liée à votre compte." in html and "<strong>Messenger</strong>" not in html
    assert client.post(f"{ACCOUNT}{participant.pk}/delier/").status_code == 404
    participant.refresh_from_db()
    assert participant.user == resident


@pytest.mark.django_db
def test_the_account_page_needs_signing_in(client):
    assert client.get(ACCOUNT).status_code == 302
    assert client.post(ACCOUNT).status_code == 302
    assert not LinkCode.objects.exists()


@pytest.mark.django_db
def test_the_profile_page_links_to_the_chats_page(client, resident):
    client.force_login(resident)
    assert f'href="{ACCOUNT}"' in client.get("/compte/profil/").content.decode()


@pytest.mark.django_db
def test_the_web_chat_of_a_signed_in_person_is_linked_with_what_it_answered_before(client, chat_consultation,
                                                                                  resident):
    from concerto.channels.tests.test_web_chat import page as web_page
    from concerto.channels.tests.test_web_chat import send

    q = chat_consultation
    web_page(client, commune="sceaux")
    send(client, payload=f"item:consultations:{q.component.pk}")
    send(client, payload=f"o:{q.transport.options.get(label='À pied').pk}")
    send(client, payload=f"o:{q.activities.options.get(label='Promenade').pk}")
    send(client, payload="done")
    send(client, payload="n:4")
    send(client, text="Des bancs")
    response = Response.objects.get(component=q.component, status=Response.Status.SUBMITTED)
    assert response.respondent is None
    assert "Lier mon compte" not in web_page(client)  # the web chat links by signing in
    client.force_login(resident)
    web_page(client)
    response.refresh_from_db()
    assert response.respondent == resident
    assert Contribution.objects.get(kind="consultations.response").author == resident
    assert Participant.objects.get(platform="web").user == resident
    html = client.get(ACCOUNT).content.decode()
    assert "Discussion sur le site" in html and "liée tant que vous êtes connecté" in html


@pytest.mark.django_db
def test_a_code_typed_in_the_web_chat_is_not_taken(client, chat_consultation, resident):
    from concerto.channels.tests.test_web_chat import page as web_page
    from concerto.channels.tests.test_web_chat import send

    web_page(client, commune="sceaux")
    html = send(client, text="LIER")
    assert "connectez-vous" in html and "/compte/login/" in html


@pytest.mark.django_db
def test_a_response_already_given_on_the_web_is_not_replaced_by_the_chats(client, graph, page, chat_consultation,
                                                                         resident, say):
    from concerto.components.consultations.services import response_submit

    q = chat_consultation
    response_submit(component=q.component, respondent=resident,
                    answers={q.transport.pk: {"option": q.transport.options.get(label="À vélo").pk},
                             q.satisfaction.pk: 2})
    say("m1", text="Bonjour")
    answer_in_chat(say, q)
    code = code_of(client, resident)
    say("m7", text="Lier", payload="link")
    say("m8", text=code)
    assert Participant.objects.get(platform="messenger").user == resident
    assert Response.objects.filter(component=q.component, respondent=resident).count() == 1
    assert Response.objects.filter(component=q.component, respondent=None).count() == 1  # left apart


@pytest.mark.django_db
def test_erasing_the_account_erases_its_chats_and_the_chat_starts_again_as_new(client, graph, page, resident, say):
    from concerto.core.accounts.services import account_delete

    code = code_of(client, resident)
    say("m1", text="Bonjour")
    say("m2", text="Lier", payload="link")
    say("m3", text=code)
    import json

    chats = json.loads(client.post("/compte/mes-donnees/").content)["chat_conversations"]
    assert chats[0]["platform"] == "messenger" and chats[0]["linked_at"]
    assert "Bonjour" in [message["text"] for message in chats[0]["messages"]]
    account_delete(user=resident)
    assert not Participant.objects.exists() and not Message.objects.exists()
    sent = len(graph.sent)
    say("m4", text="Bonjour")
    assert "Bonjour" in " ".join(graph.texts()[sent:])
    assert Participant.objects.get().user is None


@pytest.mark.django_db
def test_the_privacy_page_lists_the_chat_platforms_as_processors(client):
    html = client.get("/pages/donnees-personnelles/").content.decode()
    assert "Sous-traitants" in html
    for name in ("Meta Platforms Ireland", "Telegram Messenger Inc. / Telegram FZ-LLC", "OVH"):
        assert name in html
    assert "votre identifiant Messenger" in html


@pytest.mark.django_db
def test_asking_for_codes_is_limited_per_account(client, resident, rate_limits):
    rate_limits.CONCERTO_RATE_LIMITS = {"chat_link_code": (2, 3600)}
    code_of(client, resident)
    code_of(client, resident)
    refused = client.post(ACCOUNT)
    assert refused.status_code == 429
    assert "attendez quelques minutes" in refused.content.decode()
    assert LinkCode.objects.filter(user=resident).count() == 1
