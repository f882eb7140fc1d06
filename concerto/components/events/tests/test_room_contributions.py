"""Contributions gathered in the room (paper, sticky notes) entered after the event: they become anonymous
proposals or questionnaire responses of the space, marked in person and linked to the event, and count in
lists, results and the ledger like any other."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from concerto.components.consultations import building
from concerto.components.consultations import services as consultations
from concerto.components.consultations.models import Question, Response
from concerto.components.events import minutes as services
from concerto.components.events.models import RoomContribution
from concerto.components.events.tests.test_minutes import bo_url, make_event, make_events, make_space
from concerto.components.proposals import services as proposals
from concerto.components.proposals.models import Proposal
from concerto.core.participation.models import Contribution
from concerto.testing import ComponentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(sceaux):
    return make_space(sceaux)


@pytest.fixture
def ideas(space):
    return ComponentFactory(space=space, kind="proposals", title="Vos idées pour la gare")


@pytest.fixture
def workshop(space, ideas):
    return make_event(make_events(space), title="Atelier post-it", contributions_component=ideas)


def test_sticky_notes_typed_one_after_another_become_in_person_proposals_listed_publicly(
        staff_client, agent, workshop, ideas, client):
    category = proposals.category_create(actor=agent, component=ideas, name="Mobilités")
    staff = staff_client(agent)
    page = staff.get(bo_url(workshop, "contributions")).content.decode()
    assert "0 contribution saisie jusqu’ici." in page and "autofocus" in page
    response = staff.post(bo_url(workshop, "contributions"), {"title": "Un abri à vélos",
                                                              "text": "Fermé, près de la gare.",
                                                              "category": str(category.pk)})
    assert response.status_code == 302
    response = staff.post(bo_url(workshop, "contributions"), {"title": "Des bancs", "text": "Sur le quai."},
                          follow=True)
    page = response.content.decode()
    assert "Enregistré (2 saisies)." in page
    assert 'name="title"' in page and 'value="Des bancs"' not in page  # the empty form again
    assert "2 contributions saisies jusqu’ici." in page
    proposal = Proposal.objects.get(title="Un abri à vélos")
    assert proposal.author is None and proposal.category == category and proposal.component == ideas
    ledger = Contribution.objects.get(kind="proposals.proposal", target_id=proposal.pk)
    assert ledger.channel == "in_person" and ledger.component == ideas and ledger.author is None
    room = RoomContribution.objects.get(contribution=ledger)
    assert room.event == workshop and room.entered_by == agent
    staff.logout()
    listing = client.get(ideas.get_absolute_url()).content.decode()
    assert "Un abri à vélos" in listing and "Des bancs" in listing


def test_a_note_without_text_is_refused_and_nothing_is_saved(staff_client, agent, workshop):
    response = staff_client(agent).post(bo_url(workshop, "contributions"), {"title": "Sans texte", "text": ""})
    assert response.status_code == 400
    assert "Tapez ce que dit la note." in response.content.decode()
    assert not Proposal.objects.exists() and not RoomContribution.objects.exists()


def test_closed_submissions_are_explained(staff_client, agent, workshop, ideas, space):
    step = space.steps.get()
    ideas.step_settings = {str(step.pk): {"submissions_open": False}}
    ideas.save()
    response = staff_client(agent).post(bo_url(workshop, "contributions"), {"title": "Idée", "text": "Texte"})
    assert response.status_code == 400
    assert "Le dépôt des propositions est fermé." in response.content.decode()
    assert not Proposal.objects.exists()


def test_contributions_wait_for_the_event_to_start_and_for_a_target(staff_client, agent, space, ideas):
    events = make_events(space)
    upcoming = make_event(events, days=3, contributions_component=ideas)
    staff = staff_client(agent)
    assert "n’a pas encore commencé" in staff.get(bo_url(upcoming, "contributions")).content.decode()
    with pytest.raises(services.MinutesError):
        services.room_contribution_enter(actor=agent, event=upcoming, values={"title": "Trop tôt", "text": "x"})
    nowhere = make_event(events)
    page = staff.get(bo_url(nowhere, "contributions")).content.decode()
    assert "ne dit pas où vont ses contributions" in page
    assert staff.post(bo_url(nowhere, "contributions"), {"title": "x", "text": "y"}).status_code == 400
    # A component of another space is never a target.
    elsewhere = ComponentFactory(space=make_space(space.organisation, slug="autre"), kind="proposals")
    foreign = make_event(events, contributions_component=elsewhere)
    assert services.room_target(foreign) is None
    assert not Proposal.objects.exists()


@pytest.fixture
def questionnaire(space, agent):
    cache.clear()
    component = ComponentFactory(space=space, kind="consultations", title="Votre avis sur la gare",
                                 settings={"participation": "account", "results_visibility": "public"})
    section = building.section_create(actor=agent, component=component, title="La gare")
    question = building.question_create(actor=agent, section=section, kind=Question.Kind.SINGLE,
                                       label="Venez-vous à la gare à vélo ?", options=["Oui", "Non"])
    return component, question


def test_paper_answers_are_entered_as_in_person_responses_and_counted_in_the_results(
        staff_client, agent, space, questionnaire, resident, client):
    component, question = questionnaire
    event = make_event(make_events(space), contributions_component=component)
    yes = question.options.get(label="Oui")
    consultations.response_submit(component=component, respondent=resident,
                                  answers={question.pk: {"option": yes.pk, "other": ""}})
    staff = staff_client(agent)
    page = staff.get(bo_url(event, "contributions")).content.decode()
    assert "Venez-vous à la gare à vélo ?" in page
    assert "Commune de résidence de la personne" in page
    for residence in (str(space.organisation.pk), "", ""):
        response = staff.post(bo_url(event, "contributions"), {question.field_name: str(yes.pk),
                                                               "about-residence": residence})
        assert response.status_code == 302
    responses = Response.objects.filter(component=component, channel="in_person", status="submitted")
    assert responses.count() == 3 and all(r.respondent_id is None for r in responses)
    # The day of the meeting in Paris (an evening meeting at 0:30 is the next day's), or today if it is to come.
    assert (timezone.localtime(responses.first().submitted_at).date()
            == min(timezone.localtime(event.starts_at).date(), timezone.localdate()))
    assert RoomContribution.objects.filter(event=event).count() == 3
    assert Contribution.objects.filter(component=component, channel="in_person").count() == 3
    assert Contribution.objects.filter(component=component, channel="in_person",
                                       residence=space.organisation).count() == 1
    staff.logout()
    results = client.get(reverse("consultations:results", kwargs={
        "org_slug": space.organisation.slug, "space_slug": space.slug, "component_id": component.pk}))
    html = results.content.decode()
    assert results.status_code == 200
    assert "75" in html  # three of the four responses came in person


def test_a_bad_answer_is_refused_in_french(staff_client, agent, space, questionnaire):
    component, question = questionnaire
    event = make_event(make_events(space), contributions_component=component)
    response = staff_client(agent).post(bo_url(event, "contributions"), {question.field_name: "999999"})
    assert response.status_code == 400
    response = staff_client(agent).post(bo_url(event, "contributions"), {"about-residence": "999999"})
    assert response.status_code == 400 and "Choisissez une commune de la liste." in response.content.decode()
    assert not Response.objects.filter(status="submitted").exists()


def test_junk_in_the_quick_entry_is_a_form_error_never_a_500(staff_client, agent, workshop, ideas):
    proposals.category_create(actor=agent, component=ideas, name="Mobilités")
    staff = staff_client(agent)
    url = bo_url(workshop, "contributions")
    assert staff.post(url, {"title": "x" * 151, "text": "Texte"}).status_code == 400
    assert staff.post(url, {"title": "Idée", "text": "Texte", "category": "pas-un-nombre"}).status_code == 400
    assert staff.post(url, {"title": "Idée\x00", "text": "\x00"}).status_code == 400
    assert staff.post(url, {"title": "   ", "text": "<script></script>"}).status_code == 400
    assert not Proposal.objects.exists()
