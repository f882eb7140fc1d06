"""A space's synthesis for elected officials (issue 17): each section's figures with the link to their source,
who may read it, the print version, an empty space."""

import datetime
import re

import pytest
from django.urls import reverse

from concerto.components.proposals import services as proposals
from concerto.components.questions import services as questions
from concerto.core.accountability import services as accountability
from concerto.core.accountability.models import Decision, DecisionLink
from concerto.core.participation.services import moderation_dismiss
from concerto.testing import ComponentFactory, UserFactory, login_with_mfa, persona


@pytest.fixture
def filled(space, step, agent, author, resident, moderator):
    """A space of Sceaux with supported proposals, a question to the officials and a decision answering a proposal."""
    ideas = ComponentFactory(space=space, kind="proposals", title="Idées pour Sceaux")
    trees = proposals.proposal_create(author=author, component=ideas, title="Planter des arbres fruitiers",
                                      text="Des pommiers et des poiriers dans chaque cour d'école.")
    bench = proposals.proposal_create(author=resident, component=ideas, title="Un banc au marché",
                                      text="Près du kiosque.")
    for n in range(3):
        proposals.support_add(user=UserFactory(email=f"soutien{n}@example.org"), proposal=trees)
    proposals.support_add(user=resident, proposal=trees)
    proposals.support_add(user=author, proposal=bench)
    asking = ComponentFactory(space=space, kind="questions", title="Questions aux élus")
    question = questions.question_ask(author=resident, component=asking, addressee=None,
                                      title="Quand la piste cyclable sera-t-elle finie ?", text="Depuis juin.")
    moderation_dismiss(moderator=moderator, content=question)
    decision = accountability.decision_create(actor=agent, organisation=space.organisation, space=space,
                                              title="Délibération sur les vergers scolaires",
                                              decided_on=datetime.date(2026, 11, 20),
                                              body=Decision.Body.MUNICIPAL_COUNCIL)
    accountability.decision_link_add(actor=agent, decision=decision, target=trees,
                                     status=DecisionLink.Status.ADOPTED, explanation="Dix écoles en 2027.")
    return {"space": space, "trees": trees, "bench": bench, "question": question, "decision": decision}


def _url(space, name="backoffice:space_synthesis"):
    return reverse(name, args=[space.organisation.slug, space.slug])


def _linked(html: str, url: str, text: str) -> bool:
    """Whether HTML has a link to URL whose text holds TEXT."""
    return any(text in inner for inner in re.findall(rf'<a href="{re.escape(url)}"[^>]*>(.*?)</a>', html, re.S))


def test_the_synthesis_shows_each_sections_figures_linked_to_their_source(client, filled, agent):
    login_with_mfa(client, agent)
    space = filled["space"]
    html = client.get(_url(space)).content.decode()
    overview = reverse("backoffice:space_overview", args=[space.organisation.slug, space.slug])
    # Who took part: the ledger's contributions (2 proposals, 5 supports, 1 question), linked to the overview.
    assert _linked(html, overview, "8")
    assert "Contributions by channel" in html or "Contributions par canal" in html
    # The most supported proposals, with their supports and their page; the first one's own words quoted.
    assert _linked(html, filled["trees"].get_absolute_url(), "Planter des arbres fruitiers")
    assert re.search(r"Planter des arbres fruitiers</a></th><td>4</td>", html)
    assert "Des pommiers et des poiriers dans chaque cour d" in html
    # The open question, linked to its page.
    assert _linked(html, filled["question"].get_absolute_url(), "Quand la piste cyclable sera-t-elle finie")
    # The decision, linked to its back-office page, with the one contribution it answers.
    decision_url = reverse("accountability_backoffice:decision", args=[space.organisation.slug, filled["decision"].pk])
    assert _linked(html, decision_url, "Délibération sur les vergers scolaires")
    assert re.search(r"vergers scolaires</a></th><td>20 novembre 2026</td><td>[^<]+</td><td>1</td>", html)


def test_agent_and_elected_official_read_it_others_are_refused(client, filled, agent, elected, outsider):
    space = filled["space"]
    for user in (agent, elected):
        login_with_mfa(client, user)
        assert client.get(_url(space)).status_code == 200
        assert client.get(_url(space, "backoffice:space_synthesis_print")).status_code == 200
    login_with_mfa(client, outsider)
    for name in ("backoffice:space_synthesis", "backoffice:space_synthesis_print"):
        response = client.get(_url(space, name))
        assert response.status_code in (403, 404)
        assert "Planter des arbres" not in response.content.decode()
    login_with_mfa(client, persona("habitant@example.org", mfa=True))  # a resident, without a role
    assert client.get(_url(space)).status_code == 403
    client.logout()
    assert client.get(_url(space)).status_code == 302  # to the sign-in page


def test_every_back_office_link_of_the_synthesis_opens_for_the_elected_official(client, filled, elected):
    login_with_mfa(client, elected)
    html = client.get(_url(filled["space"])).content.decode()
    links = set(re.findall(r'href="(/gestion/[^"#]+)', html))
    assert len(links) > 5
    for href in links:
        assert client.get(href).status_code == 200, href


def test_the_print_version_is_the_report_without_menus_dated_with_sources(client, filled, agent):
    login_with_mfa(client, agent)
    html = client.get(_url(filled["space"], "backoffice:space_synthesis_print")).content.decode()
    assert "synthesis.css" in html
    assert "bo-nav" not in html and "site-header" not in html
    assert "Planter des arbres fruitiers" in html
    # Each section names its source, and on paper its full address.
    assert html.count('class="synthesis-source"') >= 4
    assert "http://testserver/gestion/sceaux/" in html
    assert "style=" not in html and "<script" not in html


def test_an_empty_space_has_a_synthesis_without_error(client, space, elected):
    login_with_mfa(client, elected)
    for name in ("backoffice:space_synthesis", "backoffice:space_synthesis_print"):
        response = client.get(_url(space, name))
        assert response.status_code == 200
        html = response.content.decode()
        assert "No decision recorded for this space yet." in html or "Aucune décision" in html


def test_the_space_page_and_the_overview_link_the_synthesis(client, space, elected):
    login_with_mfa(client, elected)
    synthesis = _url(space)
    space_page = reverse("backoffice:space", args=[space.organisation.slug, space.slug])
    assert synthesis in client.get(space_page).content.decode()
    assert synthesis in client.get(reverse("backoffice:space_overview",
                                           args=[space.organisation.slug, space.slug])).content.decode()


def test_a_budget_s_ballots_and_winners_a_consultation_and_polls_have_their_sections(client, agent):
    from concerto.components.budgets import results
    from concerto.components.budgets.tests.test_results_setup import small_election
    from concerto.components.consultations.tests.conftest import make_consultation

    budget, projects = small_election()
    space = budget.component.space
    results.result_publish(actor=agent, result=results.result_compute(actor=agent, budget=budget))
    make_consultation(space, title="Votre avis sur le parc")
    ComponentFactory(space=space, kind="polls", title="Sondages du quartier")
    login_with_mfa(client, agent)
    html = client.get(_url(space)).content.decode()
    budget_results = reverse("budgets:results", kwargs={"org_slug": "sceaux", "space_slug": space.slug,
                                                        "component_id": budget.component_id})
    assert _linked(html, budget_results, "10")  # the 10 ballots cast
    # The winners of the published count, linked to their page, with their votes and cost.
    assert re.search(rf'<a href="{re.escape(projects[0].get_absolute_url())}">Un verger partagé</a></th>'
                     r"<td>Toute la ville</td><td>8</td><td>600", html)
    assert "Votre avis sur le parc" in html and "Sondages du quartier" in html


def test_its_number_of_queries_does_not_grow_with_the_proposals_questions_and_decisions(client, filled, agent,
                                                                                       moderator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    space = filled["space"]
    login_with_mfa(client, agent)
    client.get(_url(space))  # the session and the caches warm
    with CaptureQueriesContext(connection) as before:
        client.get(_url(space))
    ideas, asking = filled["trees"].component, filled["question"].component
    for n in range(4):
        proposal = proposals.proposal_create(author=agent, component=ideas, title=f"Idée {n}", text="Un texte.")
        proposals.support_add(user=UserFactory(email=f"plus{n}@example.org"), proposal=proposal)
        question = questions.question_ask(author=agent, component=asking, addressee=None, title=f"Question {n} ?",
                                          text="")
        moderation_dismiss(moderator=moderator, content=question)
        accountability.decision_create(actor=agent, organisation=space.organisation, space=space, title=f"Décision {n}",
                                       decided_on=datetime.date(2026, 11, n + 1), body=Decision.Body.MAYOR)
    with CaptureQueriesContext(connection) as after:
        html = client.get(_url(space)).content.decode()
    assert "Idée 3" in html and "Question 3 ?" in html and "Décision 3" in html
    assert len(after) == len(before)


def test_the_themes_of_what_people_wrote_with_their_size_and_an_example(client, space, elected):
    from concerto.core.texts.models import Theme

    Theme.objects.create(space=space, number=1, label="arbres, écoles", words=["arbres", "écoles"], size=12,
                         examples=[{"text": "Planter des arbres dans les cours d’école.",
                                    "url": space.get_absolute_url()}])
    Theme.objects.create(space=space, number=2, label="vélo, pistes", name="Se déplacer à vélo", size=30,
                         examples=[{"text": "Une piste cyclable rue Houdan.", "url": space.get_absolute_url()}])
    login_with_mfa(client, elected)
    html = client.get(_url(space)).content.decode()
    assert "Thèmes de ce que les gens ont écrit" in html
    assert html.index("Se déplacer à vélo") < html.index("arbres, écoles")  # the largest first, an agent's name
    assert "Une piste cyclable rue Houdan." in html and "Planter des arbres dans les cours d’école." in html
    assert reverse("backoffice:themes", args=["sceaux", space.slug]) in html
