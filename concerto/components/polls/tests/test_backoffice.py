"""The back-office of quick polls: create, target, schedule, edit, publish, close, results with channels, CSV;
and the outsider, who reaches nothing of Sceaux."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.components.polls import services
from concerto.components.polls.models import Poll
from concerto.components.polls.tests.conftest import choice_ids

pytestmark = pytest.mark.django_db


def _url(component, name, *args):
    space = component.space
    return reverse(f"polls_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


def _form(**changes):
    opens = timezone.localtime() + datetime.timedelta(hours=1)
    data = {"question": "Quel jour pour la fête des voisins ?", "choices": "Vendredi\nSamedi\n\nDimanche",
            "why": "optional", "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "results": "at_close", "target_organisation": "", "target_area": "", "target_area_name": ""}
    data.update(changes)
    return data


def test_an_agent_creates_schedules_and_publishes_a_poll(staff_client, agent, polls):
    client = staff_client(agent)
    response = client.post(_url(polls, "create"), {**_form(), "action": "publish"})
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert [c.label for c in poll.choices.all()] == ["Vendredi", "Samedi", "Dimanche"]
    assert poll.is_published and not poll.is_open() and poll.results == "at_close"
    page = client.get(_url(polls, "index")).content.decode()
    assert "Pas encore ouvert" in page and "Quel jour pour la fête" in page


def test_a_bad_form_keeps_what_was_typed_with_french_errors(staff_client, agent, polls):
    client = staff_client(agent)
    data = _form(choices="Seule", target_area='{"type": "Point", "coordinates": [2.3, 48.7]}')
    data["closes_at"] = data["opens_at"]
    response = client.post(_url(polls, "create"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Donnez entre 2 et 8 réponses." in page and "Le sondage doit se clore après son ouverture." in page
    assert "Quel jour pour la fête des voisins ?" in page and not Poll.objects.exists()


def test_a_quartier_is_saved_from_its_geojson(staff_client, agent, polls):
    area = ('{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": '
            '[[[2.28, 48.77], [2.30, 48.77], [2.30, 48.78], [2.28, 48.77]]]}}')
    staff_client(agent).post(_url(polls, "create"), _form(target_area=area, target_area_name="Les Blagis"))
    poll = Poll.objects.get()
    assert poll.target_area["type"] == "Polygon" and "Les Blagis" in poll.target_label


def test_results_show_the_channel_of_each_answer_and_the_csv_has_them(staff_client, agent, poll, resident, author):
    services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"), channel="chatbot")
    services.poll_answer(poll=poll, user=author, choices=choice_ids(poll, "Non"), channel="api")
    client = staff_client(agent)
    page = client.get(_url(poll.component, "results", poll.pk)).content.decode()
    assert "Réponses par canal" in page and "Assistant conversationnel" in page and "API" in page
    response = client.get(_url(poll.component, "answers_csv", poll.pk))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Date de la réponse,Canal,Réponses")
    assert "Assistant conversationnel" in text and ",Non," in text and resident.email not in text


def test_closing_a_poll_stops_the_answers(staff_client, agent, poll, resident):
    staff_client(agent).post(_url(poll.component, "close", poll.pk))
    poll.refresh_from_db()
    assert poll.closed_at is not None and not poll.is_open()


def test_an_elected_official_reads_the_results_but_cannot_close(staff_client, elected, poll):
    client = staff_client(elected)
    assert client.get(_url(poll.component, "results", poll.pk)).status_code == 200
    assert client.post(_url(poll.component, "close", poll.pk)).status_code == 403
    poll.refresh_from_db()
    assert poll.closed_at is None


def test_the_outsider_reaches_nothing_and_changes_nothing(staff_client, outsider, poll):
    client = staff_client(outsider)
    for name, args in (("index", ()), ("results", (poll.pk,)), ("answers_csv", (poll.pk,)), ("edit", (poll.pk,))):
        assert client.get(_url(poll.component, name, *args)).status_code == 403
    assert client.post(_url(poll.component, "close", poll.pk)).status_code == 403
    montreuil_url = _url(poll.component, "results", poll.pk).replace("/sceaux/", "/montreuil/")
    assert client.get(montreuil_url).status_code == 404
    poll.refresh_from_db()
    assert poll.closed_at is None


def test_results_are_shown_raw_and_weighted_to_the_commune_s_population(staff_client, agent, poll, resident, author):
    from concerto.core.insights.population import population_import
    from concerto.testing import UserFactory

    population_import(b"insee_code,pop_0_14,pop_15_29,pop_30_44,pop_45_59,pop_60_74,pop_75_plus\n"
                      b"92071,100,200,300,200,100,100\n", source="Test", year=2020)
    year = timezone.localdate().year
    resident.birth_year, author.birth_year = year - 26, year - 56
    resident.save()
    author.save()
    services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"))
    services.poll_answer(poll=poll, user=author, choices=choice_ids(poll, "Non"))
    services.poll_answer(poll=poll, user=UserFactory(email="sans-age@example.org", residence=resident.residence),
                         choices=choice_ids(poll, "Oui"))
    weighted = services.weighted_results_of(poll)
    # Empty bands merged: 0-29 is 30 % of Sceaux (one respondent, Oui), 30 and over 70 % (one respondent, Non).
    assert [(row.label, row.count, round(row.weighted_percent)) for row in weighted.rows] == [
        ("Oui", 2, 30), ("Non", 1, 70), ("Sans avis", 0, 0)]
    assert weighted.weights.n == 2 and weighted.weights.left_out == 1
    page = staff_client(agent).get(_url(poll.component, "results", poll.pk)).content.decode()
    assert "Résultats bruts et redressés" in page and "70\u00a0%" in page and "66,7\u00a0%" in page
    assert "Comment les résultats sont redressés" in page and "1 répondant est laissé hors" in page
