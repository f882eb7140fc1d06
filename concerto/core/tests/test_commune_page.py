"""The commune page shows what is on now: the Métropole's and the territory's spaces that concern the commune,
cards with the step open and its deadline, « Open to participation » with only what is open today, and
participation in a multi-commune space limited to the communes it covers."""

import datetime

import pytest
from django.utils import timezone

from concerto import testing
from concerto.components.proposals import services as proposals
from concerto.core.accounts.verification import VerificationRequired
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, configure

pytestmark = pytest.mark.django_db


@pytest.fixture
def territory_space(sceaux):
    """A space of Sceaux's territory that covers Sceaux and Antony only, with ideas open for ten more days."""
    territory = sceaux.parent
    antony = territory.children.get(slug="antony")
    space = SpaceFactory(organisation=territory, slug="pistes-cyclables", title="Pistes cyclables du territoire")
    space.scope.set([sceaux, antony])
    step = StepFactory(space=space, title="Dépôt des idées",
                       end_date=timezone.localdate() + datetime.timedelta(days=10))
    component = ComponentFactory(space=space, kind="proposals", title="Idées")
    configure(component, step=step, submissions_open=True, supports_open=True)
    component.verified_actions = ["submit", "support"]
    component.save()
    return space, component


def test_the_commune_page_lists_the_territory_space_that_covers_it_with_its_deadline(client, territory_space, sceaux):
    space, _component = territory_space
    html = client.get(sceaux.get_absolute_url()).content.decode()
    assert "Démarches de la Métropole et du territoire qui concernent Sceaux" in html
    assert "Pistes cyclables du territoire" in html
    assert "Dépôt des idées jusqu’au" in html


def test_a_commune_it_does_not_cover_does_not_list_it(client, territory_space, sceaux):
    bourg = sceaux.parent.children.exclude(slug__in=["sceaux", "antony"]).first()
    assert "Pistes cyclables du territoire" not in client.get(bourg.get_absolute_url()).content.decode()


def test_a_resident_of_a_commune_outside_the_scope_is_refused_in_french(territory_space, sceaux):
    _space, component = territory_space
    bourg = sceaux.parent.children.exclude(slug__in=["sceaux", "antony"]).first()
    outsider = testing.UserFactory(email="voisin@example.org")
    testing.verified_resident(outsider, bourg)
    with pytest.raises(VerificationRequired, match="concerne seulement les habitants de Antony, Sceaux"):
        proposals.proposal_create(author=outsider, component=component, title="Une piste", text="Rue Houdan")
    insider = testing.UserFactory(email="habitant@example.org")
    testing.verified_resident(insider, sceaux)
    assert proposals.proposal_create(author=insider, component=component, title="Une piste", text="Rue Houdan")


def test_the_refusal_reaches_the_web_page_and_the_api(client, territory_space, sceaux):
    _space, component = territory_space
    bourg = sceaux.parent.children.exclude(slug__in=["sceaux", "antony"]).first()
    outsider = testing.UserFactory(email="voisin@example.org")
    testing.verified_resident(outsider, bourg)
    client.force_login(outsider)
    response = client.post(component.get_absolute_url() + "deposer/", {"title": "Une piste", "text": "Rue"})
    assert response.status_code == 403
    assert "concerne seulement les habitants de Antony, Sceaux" in response.content.decode()


def test_a_ballot_of_a_resident_outside_the_scope_is_refused_in_french(sceaux):
    """The API and the web pages vote through voter_for: its refusal is theirs."""
    from concerto.components.budgets import services as budgets
    from concerto.components.budgets.ballots import BallotError, voter_for

    territory = sceaux.parent
    space = SpaceFactory(organisation=territory, slug="budget-territoire", title="Budget du territoire")
    space.scope.set([sceaux])
    step = StepFactory(space=space, title="Vote")
    component = ComponentFactory(space=space, kind="budgets", title="Budget")
    configure(component, step=step, voting_open=True)
    agent = testing.persona("agent-t@example.org", role="agent", organisation=territory)
    budget = budgets.budget_create(actor=agent, component=component, name="Enveloppe", amount=100_000)
    bourg = territory.children.exclude(slug="sceaux").first()
    voter = testing.UserFactory(email="voisin@example.org")
    testing.verified_resident(voter, bourg)
    with pytest.raises(BallotError, match="concerne seulement les habitants de Sceaux"):
        voter_for(user=voter, budget=budget)


def test_open_to_participation_lists_only_spaces_with_something_open_today(client, territory_space, sceaux):
    closed = SpaceFactory(organisation=sceaux, slug="fini", title="Concertation close")
    step = StepFactory(space=closed, title="Dépôt passé", start_date=timezone.localdate() - datetime.timedelta(days=30),
                       end_date=timezone.localdate() - datetime.timedelta(days=20))
    ComponentFactory(space=closed, kind="proposals", title="Idées closes")
    quiet = SpaceFactory(organisation=sceaux, slug="calme", title="Espace sans action ouverte")
    quiet_step = StepFactory(space=quiet, title="Analyse")
    configure(ComponentFactory(space=quiet, kind="proposals", title="Idées en analyse"), step=quiet_step,
              submissions_open=False, supports_open=False)
    html = client.get("/").content.decode()
    section = html.split("Ouvert à la participation")[1].split("<h2")[0]
    assert "Pistes cyclables du territoire" in section and "Dépôt des idées jusqu’au" in section
    assert "Concertation close" not in section and "Espace sans action ouverte" not in section
    assert step.pk and "Analyse jusqu’au" in client.get(sceaux.get_absolute_url()).content.decode()


def test_the_events_of_a_covering_space_are_in_the_commune_s_agenda(client, territory_space, sceaux):
    from django.urls import reverse

    from concerto.components.events.models import Event

    space, _component = territory_space
    events = ComponentFactory(space=space, kind="events", title="Rencontres")
    starts = timezone.now() + datetime.timedelta(days=3)
    Event.objects.create(component=events, title="Balade à vélo du territoire", starts_at=starts, published=True,
                         ends_at=starts + datetime.timedelta(hours=2), capacity=10)
    assert "Balade à vélo du territoire" in client.get(reverse("events_organisation:agenda",
                                                               args=["sceaux"])).content.decode()
    bourg = sceaux.parent.children.exclude(slug__in=["sceaux", "antony"]).first()
    assert "Balade à vélo du territoire" not in client.get(reverse("events_organisation:agenda",
                                                                   args=[bourg.slug])).content.decode()
