"""Process templates: published from a space, used to make a new space in one step, refused where they must be."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from concerto.components.consultations.models import Question, Response
from concerto.components.consultations.tests.conftest import build_questionnaire
from concerto.components.proposals.models import Category, Proposal
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Contribution
from concerto.core.resources import services
from concerto.core.resources.models import ProcessTemplate
from concerto.core.spaces.models import Space
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def source(sceaux, agent, resident):
    """A draft space of Sceaux with two steps, a consultation with its questions and a response, and proposals with
    their categories and one resident's proposal."""
    space = SpaceFactory(organisation=sceaux, slug="concertation-parc", title="Concertation sur le parc",
                         description="Le parc va être rénové.", status=Space.Status.DRAFT)
    first = StepFactory(space=space, title="Questionnaire", start_date=DAY, end_date=DAY + datetime.timedelta(days=20),
                        position=1)
    StepFactory(space=space, title="Bilan", start_date=DAY + datetime.timedelta(days=30),
                end_date=DAY + datetime.timedelta(days=39), position=2)
    survey = ComponentFactory(space=space, kind="consultations", title="Votre avis",
                              settings={"results_visibility": "public"},
                              step_settings={str(first.pk): {"answers_open": False}})
    build_questionnaire(survey, agent)
    Response.objects.create(component=survey, respondent=resident, status="submitted")
    ideas = ComponentFactory(space=space, kind="proposals", title="Vos idées")
    ombre = Category.objects.create(component=ideas, name="Ombre et fraîcheur", position=1)
    Category.objects.create(component=ideas, name="Jeux", position=2)
    Proposal.objects.create(component=ideas, category=ombre, author=resident, title="Des arbres, Camille Martin",
                            text="<p>Plus d'ombre.</p>")
    return space


def _publish(space, organisation, actor, **changes):
    values = {"name": "Concertation sur un parc", "summary": "Un questionnaire puis un bilan.",
              "kind": "planning", "audience": "neighbourhood", "guidance": ["Diffusez le lien.", ""]}
    return services.template_publish(actor=actor, organisation=organisation, space=space, **{**values, **changes})


def test_a_template_keeps_the_shape_of_the_space_and_nothing_people_wrote(source, sceaux, agent):
    template = _publish(source, sceaux, agent)
    assert [(s["title"], s["offset_days"], s["duration_days"]) for s in template.steps] == [
        ("Questionnaire", 0, 21), ("Bilan", 30, 10)]
    assert template.steps[0]["guidance"] == "<p>Diffusez le lien.</p>"
    assert template.duration_days == 40
    survey, ideas = template.components
    assert survey["kind"] == "consultations" and survey["settings"] == {"results_visibility": "public"}
    assert survey["step_settings"] == {"0": {"answers_open": False}}
    assert [q["label"] for q in template.questions()][:2] == [
        "Comment venez-vous au parc ?", "Combien de jours par semaine venez-vous à vélo ?"]
    assert ideas["content"] == {"categories": ["Ombre et fraîcheur", "Jeux"]}
    stored = str(template.steps) + str(template.components)
    assert "Camille" not in stored and "Des arbres" not in stored and "resident" not in stored
    assert AuditEntry.objects.filter(action="resources.template_published", organisation=sceaux).exists()


def test_a_commune_creates_a_space_from_a_template_in_one_step(source, sceaux, agent, montreuil, outsider):
    template = _publish(source, sceaux, agent)
    start = datetime.date(2027, 1, 4)
    space = services.space_from_template(actor=outsider, organisation=montreuil, template=template,
                                         title="Concertation sur le square", slug="square", start_date=start)
    assert space.organisation == montreuil and space.status == Space.Status.DRAFT
    assert (space.start_date, space.end_date) == (start, start + datetime.timedelta(days=39))
    steps = list(space.steps.order_by("position"))
    assert [(s.title, s.start_date, s.end_date) for s in steps] == [
        ("Questionnaire", start, start + datetime.timedelta(days=20)),
        ("Bilan", start + datetime.timedelta(days=30), start + datetime.timedelta(days=39))]
    survey = space.components.get(kind="consultations")
    assert survey.settings["results_visibility"] == "public"
    assert survey.step_settings[str(steps[0].pk)]["answers_open"] is False
    questions = Question.objects.filter(component=survey)
    assert questions.count() == Question.objects.filter(component__space=source).count()
    conditional = questions.get(label="Combien de jours par semaine venez-vous à vélo ?")
    assert conditional.condition_option.label == "À vélo" and conditional.condition_option.question.component == survey
    assert Response.objects.filter(component=survey).count() == 0
    ideas = space.components.get(kind="proposals")
    assert list(Category.objects.filter(component=ideas).values_list("name", flat=True)) == [
        "Ombre et fraîcheur", "Jeux"]
    assert Proposal.objects.filter(component=ideas).count() == 0
    assert not Contribution.objects.filter(component__space=space).exists()
    assert AuditEntry.objects.filter(action="resources.space_created_from_template", organisation=montreuil).exists()


@pytest.mark.parametrize(("values", "field"), [
    ({"slug": "taken"}, "slug"),
    ({"slug": "ressources"}, "slug"),
    ({"slug": "comparaison"}, "slug"),
    ({"start_date": None}, "start_date"),
    ({"title": " "}, "title"),
])
def test_bad_input_creates_nothing(source, sceaux, agent, montreuil, outsider, values, field):
    template = _publish(source, sceaux, agent)
    SpaceFactory(organisation=montreuil, slug="taken")
    before = (Space.objects.count(), Question.objects.count(), Category.objects.count())
    arguments = {"title": "Concertation", "slug": "nouvelle", "start_date": DAY, **values}
    with pytest.raises(ValidationError) as refused:
        services.space_from_template(actor=outsider, organisation=montreuil, template=template, **arguments)
    assert field in refused.value.message_dict
    assert (Space.objects.count(), Question.objects.count(), Category.objects.count()) == before


def test_a_template_from_another_organisation_s_private_space_is_refused(source, montreuil, outsider):
    with pytest.raises(ValidationError) as refused:
        _publish(source, montreuil, outsider)
    assert "private" in str(refused.value) or "privé" in str(refused.value)
    assert not ProcessTemplate.objects.exists()


def test_the_metropole_publishes_from_a_commune_s_space_and_anyone_from_a_public_one(source, metropole, montreuil,
                                                                                      metropole_admin, outsider):
    assert _publish(source, metropole, metropole_admin).organisation == metropole
    source.status = Space.Status.PUBLISHED
    source.save()
    assert _publish(source, montreuil, outsider).organisation == montreuil


def test_a_template_brings_the_plan_and_the_kits_as_a_draft_plan_without_the_commune_s_actors(
        source, sceaux, agent, montreuil, outsider, client):
    from concerto.core.mobilisation import kits
    from concerto.core.mobilisation import services as plans
    from concerto.core.mobilisation.models import Actor, Plan, PlanMilestone

    plan = plans.plan_of(source)
    plans.plan_section_save(actor=agent, plan=plan, section=plans.SECTION_BY_SLUG["question"], values={
        "question": "Quel parc voulez-vous ?", "open_to_change": "Les usages et le mobilier.",
        "not_open": "Le budget."})
    plans.plan_section_save(actor=agent, plan=plan, section=plans.SECTION_BY_SLUG["publics"], values={
        "age_bands": ["15-29"], "actor_kinds": ["school"], "quartiers": "Les Blagis", "priority_areas": True,
        "publics_note": "Les jeunes viennent peu."})
    plans.plan_section_save(actor=agent, plan=plan, section=plans.SECTION_BY_SLUG["retours"], values={
        "feedback": "Un bilan en réunion publique.", "feedback_date": DAY + datetime.timedelta(days=60)})
    school = Actor.objects.create(organisation=sceaux, name="Collège Marie Curie", kind="school")
    plans.stakeholder_add(actor=agent, plan=plan, values={"actor": school, "role": "Relais", "reached_by": "Mail"})
    plans.milestone_add(actor=agent, plan=plan, values={"date": DAY - datetime.timedelta(days=14), "kind": "event",
                                                        "title": "Atelier au collège", "public": "Les 11-15 ans"})
    kits.kit_create(actor=agent, organisation=sceaux, format="poster_a4", title="Le parc, parlons-en",
                    target=kits.Target(f"space:{source.pk}", "space", source.title, source.get_absolute_url(),
                                       source.title))

    template = _publish(source, sceaux, agent)
    stored = str(template.plan)
    assert "Quel parc voulez-vous ?" in stored and "Atelier au collège" in stored
    assert "Collège Marie Curie" not in stored and "Les Blagis" not in stored  # the commune's own
    start = datetime.date(2027, 1, 4)
    space = services.space_from_template(actor=outsider, organisation=montreuil, template=template,
                                         title="Concertation sur le square", slug="square", start_date=start)
    new = Plan.objects.get(space=space)
    assert new.status == Plan.Status.DRAFT and new.question == "Quel parc voulez-vous ?"
    assert new.age_bands == ["15-29"] and new.priority_areas and new.quartiers == ""
    assert new.feedback_date == start + datetime.timedelta(days=60)
    assert not new.stakeholders.exists()
    assert [(row.date, row.kind, row.title) for row in new.milestones.order_by("date")] == [
        (start - datetime.timedelta(days=14), "event", "Atelier au collège"),
        (space.end_date, PlanMilestone.Kind.POSTERS, "Affiche A4\u00a0: Le parc, parlons-en")]  # made after the end

    page = client.get(f"/metropole/ressources/modeles/{template.slug}/").content.decode()
    assert "Plan de concertation" in page and "14\u00a0jours avant le début" in page
    assert "Affiche A4 · Le parc, parlons-en" in page and "15 à 29 ans · École · Quartiers prioritaires" in page
