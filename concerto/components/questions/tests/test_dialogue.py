"""The questions' part of the commune's dialogue figures (kernel hook `dialogue`): asked, answered, answered late,
waiting for the committed answer, the median answer time; pending questions and another commune's not counted."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from concerto import testing
from concerto.components.questions import services
from concerto.components.questions.models import Question
from concerto.core.participation.dialogue import dialogue_for
from concerto.core.participation.services import moderation_dismiss
from concerto.core.participation.tests.test_overview import testing_french

pytestmark = pytest.mark.django_db


def _ask(questions, resident, profile, title):
    return services.question_ask(author=resident, component=questions, addressee=profile, title=title,
                                 text="Merci de répondre.")


def test_the_dialogue_page_shows_the_questions_figures(questions, resident, profile, moderator, agent, committed,
                                                        montreuil):
    now = timezone.now()
    services.question_answer(actor=agent, question=committed, text="Les travaux reprennent lundi.")
    Question.objects.filter(pk=committed.pk).update(published_at=now - datetime.timedelta(days=10),
                                                    answered_at=now, due_at=now - datetime.timedelta(days=1))
    other = _ask(questions, resident, profile, "Pourquoi la piscine ferme-t-elle à 19 h ?")
    waiting = _ask(questions, resident, profile, "Où en est le skatepark ?")
    for question in (other, waiting):
        moderation_dismiss(moderator=moderator, content=question)
    Question.objects.filter(pk=waiting.pk).update(committed_at=now, due_at=now + datetime.timedelta(days=20))
    _ask(questions, resident, profile, "Une question pas encore modérée ?")  # pending: not counted
    with testing_french():
        figures = dialogue_for(organisation=questions.space.organisation)
        asked = next(chart for chart in figures.charts if chart.title == "Questions aux élus")
        assert asked.rows == [("Questions posées", 3), ("Questions avec réponse", 1),
                              ("Réponses après l’échéance", 1), ("En attente de la réponse promise", 1)]
        median = next(chart for chart in figures.charts if chart.title == "Délai médian de réponse")
        assert median.rows == [("Médiane", 10.0)]
        assert dialogue_for(organisation=montreuil).charts[-1].title != "Questions aux élus"
    client = Client()
    testing.login_with_mfa(client, agent)
    html = client.get("/gestion/sceaux/participation/dialogue/").content.decode()
    assert "<caption>Délai médian de réponse</caption>" in html and "<td>10&nbsp;jours</td>" in html
