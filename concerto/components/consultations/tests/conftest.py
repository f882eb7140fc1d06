"""A consultation of Sceaux with one question of each kind, and helpers to answer it."""

from datetime import date

import pytest
from django.core.cache import cache

from concerto.components.consultations import building
from concerto.components.consultations.models import Question
from concerto.testing import ComponentFactory, SpaceFactory

Kind = Question.Kind


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def space(sceaux):
    """The root conftest's space, with the address the tests expect (its step is the root conftest's `step`)."""
    return SpaceFactory(organisation=sceaux, slug="parc", title="Rénovation du parc de Sceaux")


def make_consultation(space, *, participation="account", results="public", published=True, title="Votre avis"):
    component = ComponentFactory(space=space, kind="consultations", title=title, published=published,
                                 settings={"participation": participation, "results_visibility": results})
    return component


@pytest.fixture
def consultation(space, step):
    return make_consultation(space)


class Q:
    """The questions of the `questionnaire` fixture, by short name."""


def build_questionnaire(component, actor):
    """Two sections; one question of each kind; "bike_days" is shown only to those who cycle."""
    q = Q()
    building.questionnaire_intro_update(actor=actor, component=component,
                                        intro="Le parc va être rénové.\n\nDites-nous ce qui compte pour vous.")
    habits = building.section_create(actor=actor, component=component, title="Vos habitudes",
                                     description="<p>Comment venez-vous <strong>au parc</strong> ?</p>")
    q.transport = building.question_create(actor=actor, section=habits, kind=Kind.SINGLE, required=True,
                                           label="Comment venez-vous au parc ?",
                                           options=["À pied", "À vélo", "En voiture"], other_option=True)
    q.bike_days = building.question_create(
        actor=actor, section=habits, kind=Kind.NUMBER, label="Combien de jours par semaine venez-vous à vélo ?",
        required=True, min_value=0, max_value=7, condition_option=q.transport.options.get(label="À vélo"))
    q.activities = building.question_create(actor=actor, section=habits, kind=Kind.MULTIPLE, max_choices=2,
                                            label="Que faites-vous au parc ?",
                                            options=["Promenade", "Sport", "Pique-nique", "Jeux d'enfants"],
                                            other_option=True)
    q.visit = building.question_create(actor=actor, section=habits, kind=Kind.DATE,
                                       label="Date de votre dernière visite")
    wishes = building.section_create(actor=actor, component=component, title="Vos souhaits")
    q.priorities = building.question_create(actor=actor, section=wishes, kind=Kind.RANKING,
                                            label="Classez ces priorités",
                                            options=["Ombre", "Bancs", "Toilettes"])
    q.satisfaction = building.question_create(actor=actor, section=wishes, kind=Kind.SCALE,
                                              scale=Question.Scale.ONE_TO_FIVE, label="Êtes-vous satisfait du parc ?",
                                              scale_min_label="Pas du tout", scale_max_label="Tout à fait")
    q.name_it = building.question_create(actor=actor, section=wishes, kind=Kind.SHORT_TEXT,
                                         label="Un nom pour la nouvelle aire de jeux ?")
    q.ideas = building.question_create(actor=actor, section=wishes, kind=Kind.LONG_TEXT, label="Vos idées")
    q.place = building.question_create(actor=actor, section=wishes, kind=Kind.POINT,
                                       label="Où manque-t-il un banc ?")
    return q


@pytest.fixture
def questionnaire(consultation, agent):
    return build_questionnaire(consultation, agent)


def option(question, label):
    return question.options.get(label=label)


def answers(q, **overrides):
    """Valid answers (question id -> value) to the questionnaire, walking."""
    values = {
        q.transport.pk: {"option": option(q.transport, "À pied").pk, "other": ""},
        q.activities.pk: {"options": [option(q.activities, "Promenade").pk], "other": ""},
        q.satisfaction.pk: 4,
        q.visit.pk: date(2026, 5, 1),
    }
    for name, value in overrides.items():
        values[getattr(q, name).pk] = value
    return values


def form_data(q, **overrides):
    """The same as POST data of the public form."""
    data = {
        q.transport.field_name: str(option(q.transport, "À pied").pk),
        q.activities.field_name: [str(option(q.activities, "Promenade").pk)],
        q.satisfaction.field_name: "4",
        q.visit.field_name: "2026-05-01",
        "action": "send",
    }
    data.update({getattr(q, name).field_name if hasattr(q, name) else name: value
                 for name, value in overrides.items()})
    return data
