"""The webhook intake: a webhook only stores its events (one INSERT) and answers; the worker's drain runs the
engine on them, in order per person, and a delivery retried while it waits is answered once."""

import threading
import time

import pytest
from django.db import transaction

from concerto.channels import secrets, transport
from concerto.channels.models import InboundEvent, Message, Participant
from concerto.channels.testing import event
from concerto.channels.tests import test_messenger, test_sms
from concerto.channels.tests.conftest import PAGE
from concerto.channels.tests.test_sms import line  # noqa: F401 (a fixture)

PSID = "1254477777772919"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    test_messenger._capture = django_capture_on_commit_callbacks
    test_sms._capture = django_capture_on_commit_callbacks


@pytest.fixture
def worker_away(monkeypatch):
    """No worker: the wakes are counted, the stored events wait."""
    wakes = []
    monkeypatch.setattr(transport, "wake", lambda: wakes.append(time.monotonic()))
    return wakes


def message(mid: str, text: str, psid: str = PSID) -> bytes:
    return event("webhook_message_text.json", page=PAGE, psid=psid, mid=mid, text=text)


def drain() -> int:
    with test_messenger._capture(execute=True):
        return transport.inbound_drain.call()


def test_the_webhook_stores_the_event_and_answers_before_the_engine_runs(client, graph, page, worker_away):
    response = test_messenger.post(client, message("m-1", "Bonjour"))
    assert response.status_code == 200 and response.content == b"EVENT_RECEIVED"
    stored = InboundEvent.objects.get()
    assert stored.channel == page and stored.external_id == "m-1" and stored.event["text"] == "Bonjour"
    assert len(worker_away) == 1  # the worker is woken once the event is committed
    assert not Participant.objects.exists() and not Message.objects.exists() and graph.sent == []
    assert drain() == 1
    assert not InboundEvent.objects.exists()
    assert Message.objects.filter(direction="in").get().text == "Bonjour"
    assert graph.sent and graph.sent[0]["recipient"]["id"] == PSID


def test_a_delivery_retried_while_it_waits_is_stored_once_and_answered_once(client, graph, page, chat_consultation,
                                                                            worker_away):
    body = message("m-retried", "Bonjour")
    for _attempt in range(3):
        assert test_messenger.post(client, body).status_code == 200
    assert InboundEvent.objects.count() == 1
    drain()
    answered = len(graph.sent)
    assert answered > 0
    test_messenger.post(client, body)  # delivered again once answered: the Message row's constraint holds
    drain()
    assert len(graph.sent) == answered
    assert Message.objects.filter(direction="in").count() == 1


def test_one_persons_messages_are_answered_in_order_one_at_a_time(client, graph, page, chat_consultation,
                                                                  worker_away):
    for mid, text in [("a-1", "Bonjour"), ("a-2", "STOP"), ("a-3", "Encore là ?")]:
        test_messenger.post(client, message(mid, text))
    test_messenger.post(client, message("b-1", "Bonjour", psid="2222"))
    # A drain's batch holds one event per person: the oldest of each, so that nobody's messages overtake.
    with transaction.atomic():
        assert [row.external_id for row in transport._next_batch()] == ["a-1", "b-1"]
    drain()
    person = Participant.objects.get(key_hash=secrets.lookup_hash("messenger", PSID))
    assert list(person.messages.filter(direction="in").values_list("text", flat=True)) == [
        "Bonjour", "STOP", "Encore là ?"]
    mine = [body["message"].get("text", "") for body in graph.sent if body["recipient"]["id"] == PSID]
    assert "START" in mine[-1]  # STOP's confirmation is the last thing sent: then silence
    assert person.stopped_at is not None


def test_sms_and_telegram_webhooks_store_too(client, line, provider, worker_away):  # noqa: F811
    assert test_sms.receive(client, line, "Bonjour").status_code == 200
    assert InboundEvent.objects.get().channel == line
    assert not Message.objects.exists() and provider.calls == []
    drain()
    assert Message.objects.filter(direction="in").exists() and provider.calls


def test_a_failing_event_is_logged_and_dropped_without_blocking_the_persons_next_ones(client, graph, page,
                                                                                     worker_away, monkeypatch,
                                                                                     caplog):
    test_messenger.post(client, message("m-1", "Bonjour"))
    test_messenger.post(client, message("m-2", "MENU"))
    real, calls = transport.events_handle, []

    def first_fails(**kwargs):
        calls.append(kwargs["events"][0]["mid"])
        if len(calls) == 1:
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(transport, "events_handle", first_fails)
    assert drain() == 2
    assert calls == ["m-1", "m-2"] and not InboundEvent.objects.exists()
    assert "could not be handled" in caplog.text
    assert Message.objects.filter(direction="in").get().text == "MENU"


def test_the_waker_queues_few_drains_and_one_after_the_last_event(monkeypatch):
    """With the database queue, a burst of webhooks queues a drain at most every WAKE_EVERY seconds, and always
    one after the last event's commit."""
    queued, lock = [], threading.Lock()

    class Backend:
        supports_defer = True

    class Drain:
        module_path = "x"

        def get_backend(self):
            return Backend()

        def enqueue(self):
            with lock:
                queued.append(time.monotonic())

    monkeypatch.setattr(transport, "inbound_drain", Drain())
    monkeypatch.setattr(transport, "_drain_waiting", lambda: False)
    waker = transport._Waker()
    started = time.monotonic()
    for _event in range(200):
        last = time.monotonic()
        waker()
        time.sleep(0.001)
    time.sleep(4 * transport.WAKE_EVERY)
    assert 1 <= len(queued) <= (last - started) / transport.WAKE_EVERY + 2
    assert queued[-1] >= last  # a drain queued after the last event's wake: it will see that event


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_take_one_persons_messages_out_of_order(page, worker_away):
    """PostgreSQL: while a worker holds a person's oldest event, another worker skips it (SKIP LOCKED) and cannot
    take that person's next one either; once the first commits, the next one is free."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    for mid, sender in [("a-1", "A"), ("a-2", "A"), ("b-1", "B")]:
        transport.events_store(platform="messenger", channel_for=lambda _event: page,
                               events=[{"sender": sender, "text": mid, "payload": "", "mid": mid}])
    held, release, seen = threading.Event(), threading.Event(), {}

    def first_worker():
        with transaction.atomic():
            batch = transport._next_batch()
            seen["first"] = [row.external_id for row in batch]
            held.set()
            release.wait(10)
            InboundEvent.objects.filter(pk__in=[row.pk for row in batch]).delete()
        connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    assert held.wait(10)
    with transaction.atomic():
        seen["while_held"] = [row.external_id for row in transport._next_batch()]
    release.set()
    thread.join(10)
    with transaction.atomic():
        seen["after"] = [row.external_id for row in transport._next_batch()]
    assert seen == {"first": ["a-1", "b-1"], "while_held": [], "after": ["a-2"]}
