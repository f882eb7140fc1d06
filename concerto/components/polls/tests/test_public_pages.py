"""The poll's page, the commune's page and the organisation's list, as a resident sees them: one tap without
JavaScript, the htmx swap, refusals in French, results as a chart and a table, drafts hidden."""

import pytest
from django.urls import reverse

from concerto.components.polls import services
from concerto.components.polls.models import Answer
from concerto.components.polls.tests.conftest import choice_ids

pytestmark = pytest.mark.django_db


def test_one_tap_without_javascript_records_the_answer_and_shows_the_results(client, poll, resident):
    client.force_login(resident)
    page = client.get(poll.get_absolute_url()).content.decode()
    assert "Faut-il piétonniser" in page and 'name="choices" value="' in page
    response = client.post(poll.get_absolute_url(), {"choices": choice_ids(poll, "Oui")}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Merci" in page and "Vous avez répondu à ce sondage." in page
    assert "Résultats" in page and "<table>" in page
    answer = Answer.objects.get()
    assert answer.channel == "web" and answer.user == resident


def test_with_htmx_only_the_poll_card_comes_back(client, poll, resident):
    client.force_login(resident)
    response = client.post(poll.get_absolute_url(), {"choices": choice_ids(poll, "Non")}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert f'id="sondage-{poll.pk}"' in page and "Merci" in page


def test_a_second_answer_is_refused_in_french_and_nothing_changes(client, poll, resident):
    client.force_login(resident)
    client.post(poll.get_absolute_url(), {"choices": choice_ids(poll, "Oui")})
    response = client.post(poll.get_absolute_url(), {"choices": choice_ids(poll, "Non")}, HTTP_HX_REQUEST="true")
    assert "Vous avez répondu à ce sondage." in response.content.decode()
    assert Answer.objects.count() == 1 and services.poll_results(poll)["choices"][0]["count"] == 1


def test_an_oversized_why_keeps_what_was_typed_with_an_error_next_to_it(client, why_poll, resident):
    client.force_login(resident)
    text = "Trop long. " * 120
    response = client.post(why_poll.get_absolute_url(), {"choices": choice_ids(why_poll, "Bancs"), "why": text})
    page = response.content.decode()
    assert response.status_code == 400
    assert "1\u202f000 au plus" in page and "Trop long." in page
    assert not Answer.objects.exists()


def test_results_at_the_close_are_not_shown_after_answering(client, why_poll, resident, agent):
    client.force_login(resident)
    client.post(why_poll.get_absolute_url(), {"choices": choice_ids(why_poll, "Jeux"), "why": "Pour les enfants."})
    page = client.get(why_poll.get_absolute_url()).content.decode()
    assert "Les résultats seront affichés à sa clôture." in page and "<table>" not in page
    services.poll_close(actor=agent, poll=why_poll)
    assert "<table>" in client.get(why_poll.get_absolute_url()).content.decode()


def test_a_visitor_is_asked_to_sign_in_and_a_post_answers_nothing(client, poll):
    assert "Connectez-vous pour répondre" in client.get(poll.get_absolute_url()).content.decode()
    response = client.post(poll.get_absolute_url(), {"choices": choice_ids(poll, "Oui")})
    assert response.status_code == 403 and not Answer.objects.exists()


def test_the_commune_page_shows_its_open_poll_with_one_tap_buttons(client, poll, resident, sceaux):
    client.force_login(resident)
    page = client.get(sceaux.get_absolute_url()).content.decode()
    assert "Sondages express" in page and poll.question in page and 'name="choices"' in page
    assert reverse("polls_organisation:index", args=["sceaux"]) in page


def test_a_metropole_poll_shows_on_every_commune_page(client, metropole, montreuil):
    from concerto import testing

    space = testing.SpaceFactory(organisation=metropole, slug="metropole-sondages")
    component = testing.ComponentFactory(space=space, kind="polls", published=True)
    services.poll_create(actor=None, component=component, question="Le Grand Paris à vélo ?",
                         choices=["Oui", "Non"], publish=True)
    assert "Le Grand Paris à vélo ?" in client.get(montreuil.get_absolute_url()).content.decode()
    assert "Le Grand Paris à vélo ?" in client.get("/montreuil/sondages/").content.decode()


def test_a_draft_poll_is_a_404_and_is_not_on_the_commune_page(client, polls, agent, resident, outsider, sceaux):
    draft = services.poll_create(actor=agent, component=polls, question="Brouillon secret ?", choices=["A", "B"])
    client.force_login(resident)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Brouillon secret" not in client.get(sceaux.get_absolute_url()).content.decode()
    client.force_login(outsider)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_poll_of_sceaux_is_a_404_under_montreuil_s_address(client, poll):
    url = poll.get_absolute_url().replace("/sceaux/", "/montreuil/")
    assert client.get(url).status_code == 404


def test_an_outsider_s_answer_from_montreuil_is_refused(client, poll, montreuil):
    from concerto import testing

    other = testing.persona("habitant@montreuil.example.org", residence=montreuil)
    client.force_login(other)
    page = client.get(poll.get_absolute_url()).content.decode()
    assert "Ce sondage s’adresse aux habitants de Sceaux" in page
    response = client.post(poll.get_absolute_url(), {"choices": choice_ids(poll, "Oui")})
    assert response.status_code == 403 and not Answer.objects.exists()
