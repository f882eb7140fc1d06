"""What each component hands to themes: public or moderated-in texts only, each with the page to read it."""

import pytest
from django.utils import timezone

from concerto.core import registry
from concerto.testing import ComponentFactory

pytestmark = pytest.mark.django_db


def _texts(component):
    return {text.text: text for text in registry.get(component.kind).free_texts(component)}


def test_reports_give_their_descriptions_but_not_hidden_or_rejected_ones(space, sceaux):
    from concerto.components.reports.models import Category, Report, Service

    component = ComponentFactory(space=space, kind="reports", published=True)
    service = Service.objects.create(organisation=sceaux, name="Voirie")
    category = Category.objects.create(organisation=sceaux, code="voirie", name="Voirie", service=service)

    def report(description, **fields):
        return Report.objects.create(organisation=sceaux, component=component, category=category, service=service,
                                     description=description, latitude=48.7775, longitude=2.29, **fields)

    shown = report("Un nid-de-poule rue Houdan")
    report("Texte masqué", hidden_at=timezone.now())
    report("Texte rejeté", status=Report.Status.REJECTED)
    report("")
    texts = _texts(component)
    assert set(texts) == {"Un nid-de-poule rue Houdan"}
    assert texts["Un nid-de-poule rue Houdan"].url == shown.get_absolute_url()


def test_consultations_give_written_answers_of_sent_responses_only(space):
    from concerto.components.consultations.models import Answer, Question, Response, Section

    component = ComponentFactory(space=space, kind="consultations", published=True)
    section = Section.objects.create(component=component, title="Partie")
    question = Question.objects.create(component=component, section=section, kind="long_text", label="Vos idées")
    sent = Response.objects.create(component=component, status="submitted", channel="web",
                                   submitted_at=timezone.now())
    draft = Response.objects.create(component=component, status="draft", channel="web")
    Answer.objects.create(response=sent, question=question, text="Plus de bancs au parc")
    Answer.objects.create(response=draft, question=question, text="Brouillon pas encore envoyé")
    texts = _texts(component)
    assert set(texts) == {"Plus de bancs au parc"}
    assert texts["Plus de bancs au parc"].url.endswith(f"/resultats/questions/{question.pk}/")


def test_budget_projects_give_their_title_and_text_without_markup(space):
    from concerto.components.budgets.models import Project

    component = ComponentFactory(space=space, kind="budgets", published=True)
    Project.objects.create(component=component, title="Une fontaine", text="<p>Au <strong>parc</strong></p>")
    Project.objects.create(component=component, title="Masqué", text="<p>x</p>", hidden_at=timezone.now())
    assert set(_texts(component)) == {"Une fontaine. Au parc"}
