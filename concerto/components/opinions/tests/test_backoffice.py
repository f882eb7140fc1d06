"""The back-office of opinion debates: create with seeds, edit, publish, the moderation queue (one, many, the
reason in the audit log), results with groups and the CSV per group, « recompute now » queuing the task; roles
and other communes."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.components.opinions import services
from concerto.components.opinions.models import Conversation, GroupsResult, Statement
from concerto.components.opinions.tests.conftest import voters
from concerto.core.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _url(component, name, *args, org=None):
    space = component.space
    return reverse(f"opinions_backoffice:{name}", args=[org or space.organisation.slug, space.slug, component.pk,
                                                       *args])


def _form(**changes):
    opens = timezone.localtime() - datetime.timedelta(hours=1)
    data = {"question": "Quel avenir pour le marché ?", "description": "Donnez votre avis.",
            "seeds": "Le marché doit s’agrandir.\n\n  Le marché doit ouvrir le soir. \nLe marché doit s’agrandir.",
            "moderation": "before", "audience": "verified", "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")}
    data.update(changes)
    return data


def test_an_agent_creates_a_debate_with_seed_statements_and_publishes_it(staff_client, agent, opinions):
    client = staff_client(agent)
    assert client.get(_url(opinions, "create")).status_code == 200
    response = client.post(_url(opinions, "create"), {**_form(), "action": "publish"})
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.published_at is not None and conversation.audience == "verified"
    assert list(conversation.statements.values_list("text", "status", "seed")) == [
        ("Le marché doit s’agrandir.", "accepted", True), ("Le marché doit ouvrir le soir.", "accepted", True)]
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "opinions.conversation_created", "opinions.conversation_published"}
    page = client.get(_url(opinions, "index")).content.decode()
    assert "Quel avenir pour le marché ?".replace(" ?", "\xa0?") in page or "Quel avenir pour le marché" in page


def test_a_bad_form_keeps_what_was_typed_with_french_errors(staff_client, agent, opinions):
    client = staff_client(agent)
    data = _form(seeds="x" * 400)
    data["closes_at"] = data["opens_at"]
    response = client.post(_url(opinions, "create"), data)
    page = response.content.decode().replace("\xa0", " ")
    assert response.status_code == 400
    assert "Le débat doit se clore après son ouverture." in page and "au plus 280 caractères" in page
    assert "Quel avenir pour le marché" in page
    response = client.post(_url(opinions, "create"), _form(question="   "))
    assert response.status_code == 400 and "Écrivez la question." in response.content.decode()
    assert not Conversation.objects.exists()


def test_editing_adds_seeds_and_keeps_the_statements(staff_client, agent, seeded):
    client = staff_client(agent)
    response = client.post(_url(seeded.component, "edit", seeded.pk), _form(
        question="Que faire du centre-ville, demain ?", seeds="Il faut plus de bancs.\nUn kiosque à musique."))
    assert response.status_code == 302
    seeded.refresh_from_db()
    assert seeded.question == "Que faire du centre-ville, demain ?" and seeded.statements.count() == 6
    entry = AuditEntry.objects.filter(action="opinions.conversation_updated").get()
    assert "seeds" in entry.data["fields"] and "question" in entry.data["fields"]


def test_the_queue_accepts_one_rejects_many_with_the_reason_in_the_audit_log(staff_client, moderator, seeded,
                                                                             resident):
    pending = [Statement.objects.create(conversation=seeded, text=f"Proposition {n}", author=resident)
               for n in range(3)]
    client = staff_client(moderator)
    url = _url(seeded.component, "queue", seeded.pk)
    page = client.get(url).content.decode()
    assert "Proposition 0" in page and "Proposition 2" in page
    client.post(url, {"one": f"accept:{pending[0].pk}"})
    response = client.post(url, {"statements": [pending[1].pk, pending[2].pk], "action": "reject",
                                 "reason": "Hors sujet"})
    assert response.status_code == 302
    assert [Statement.objects.get(pk=s.pk).status for s in pending] == ["accepted", "rejected", "rejected"]
    reasons = AuditEntry.objects.filter(action="opinions.statement_rejected").values_list("data", flat=True)
    assert [data["reason"] for data in reasons] == ["Hors sujet", "Hors sujet"]
    assert "Proposition" not in client.get(url).content.decode()


def test_the_queue_refuses_a_reason_too_long_and_statements_of_another_debate(staff_client, agent, seeded,
                                                                               opinions, resident):
    other = Conversation.objects.create(component=opinions, question="Autre débat")
    foreign = Statement.objects.create(conversation=other, text="Ailleurs", author=resident)
    mine = Statement.objects.create(conversation=seeded, text="Ici", author=resident)
    client = staff_client(agent)
    url = _url(seeded.component, "queue", seeded.pk)
    response = client.post(url, {"statements": [mine.pk], "action": "reject", "reason": "x" * 600}, follow=True)
    assert "600 caractères ; 500 au plus".replace(" ;", "\xa0;") in response.content.decode()
    assert Statement.objects.get(pk=mine.pk).status == "pending"
    client.post(url, {"statements": [foreign.pk, "abc", "99999999999"], "action": "accept"})
    assert Statement.objects.get(pk=foreign.pk).status == "pending"
    response = client.post(url, {"action": "accept"}, follow=True)
    assert "Cochez au moins une affirmation." in response.content.decode()


def test_results_show_groups_consensus_and_a_csv_per_group(staff_client, elected, seeded):
    voters(seeded, 30)
    services.recompute_groups(seeded)
    result = GroupsResult.objects.get(conversation=seeded)
    assert result.k == 2
    client = staff_client(elected)
    page = client.get(_url(seeded.component, "results", seeded.pk)).content.decode()
    assert "Groupe A" in page and "Groupe B" in page and "30 participants" in page
    response = client.get(_url(seeded.component, "statements_csv", seeded.pk))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Affirmation n°", "Modération", "Affirmation", "D’accord", "Pas d’accord", "Je passe"]
    assert len(rows[0]) == 6 + 3 * 2 and len(rows) == 6
    first = rows[1]
    agree, disagree, passed = (int(cell) for cell in first[3:6])
    groups = [int(cell) for cell in first[6:]]
    assert agree + disagree + passed == 30
    assert groups[0] + groups[3] == agree  # every voter is in a group here
    # An elected official reads, but may not ask for a recomputation.
    assert client.post(_url(seeded.component, "recompute", seeded.pk)).status_code == 403


def test_recompute_now_queues_the_task_and_never_computes_in_the_request(staff_client, agent, seeded, settings,
                                                                        django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    voters(seeded, 10)
    client = staff_client(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(seeded.component, "recompute", seeded.pk))
    assert response.status_code == 302
    assert not GroupsResult.objects.exists()
    assert [result.args for result in default_task_backend.results] == [[seeded.pk]]
    assert AuditEntry.objects.filter(action="opinions.groups_recompute").exists()


def test_a_debate_without_enough_votes_says_so(staff_client, agent, seeded):
    services.recompute_groups(seeded)
    page = staff_client(agent).get(_url(seeded.component, "results", seeded.pk)).content.decode()
    assert "Pas encore assez de votes" in page


def test_an_agent_of_another_commune_reaches_nothing(staff_client, outsider, seeded):
    client = staff_client(outsider)
    for name in ("results", "queue", "edit", "statements_csv", "polis_zip"):
        assert client.get(_url(seeded.component, name, seeded.pk, org="montreuil")).status_code in (403, 404)
        assert client.get(_url(seeded.component, name, seeded.pk)).status_code in (403, 404)


def test_a_resident_has_no_queue(client, resident, seeded):
    from concerto import testing

    testing.login_with_mfa(client, resident) if hasattr(testing, "login_with_mfa") else client.force_login(resident)
    assert client.get(_url(seeded.component, "queue", seeded.pk)).status_code in (302, 403)
