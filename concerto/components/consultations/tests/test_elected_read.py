"""An elected official reads the questionnaire's page (questions, settings, figures) without a way to change
it; the responses and their exports stay personal data, opened only where the commune allows it; the agent
still builds the questionnaire."""

import re

import pytest

from concerto.components.consultations.models import Question, Section
from concerto.core.audit.models import AuditEntry

from .test_bad_input import snapshot

pytestmark = pytest.mark.django_db


def _posting_forms(page: str) -> list[str]:
    return [form for form in re.findall(r"<form[^>]*>", page)
            if 'method="post"' in form and 'action="/i18n/' not in form and 'action="/compte/' not in form]


def test_an_elected_official_reads_the_questions_and_settings_without_any_way_to_change_them(
        staff_client, elected, consultation, questionnaire):
    response = staff_client(elected).get(consultation.get_backoffice_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Comment venez-vous au parc ?" in page and "Vos souhaits" in page and "À vélo" in page
    assert "Qui peut répondre" in page and "Les personnes qui ont un compte" in page
    assert _posting_forms(page) == []
    for hidden in ("Modifier", "Supprimer", "Ajouter une question", "Ajouter une partie",
                   "Modifier l’introduction", "Monter", "Descendre"):
        assert hidden not in re.sub(r"<header.*?</header>", "", page, flags=re.S), hidden
    # No link to a page that would refuse: the responses and their exports are personal data.
    for closed in ("reponses/", "export.csv", "export.xlsx", "questions/"):
        assert consultation.get_backoffice_url() + closed not in page, closed


def test_an_elected_official_who_posts_changes_nothing_and_is_told_why(staff_client, elected, consultation,
                                                                      questionnaire):
    client = staff_client(elected)
    before, audit = snapshot(), AuditEntry.objects.count()
    base = consultation.get_backoffice_url()
    section = questionnaire.transport.section_id
    for suffix in ("introduction/", "sections/nouvelle/", f"sections/{section}/modifier/",
                   f"sections/{section}/supprimer/", f"sections/{section}/deplacer/",
                   f"questions/{questionnaire.transport.pk}/modifier/",
                   f"questions/{questionnaire.transport.pk}/supprimer/",
                   f"questions/{questionnaire.transport.pk}/deplacer/", "reponses/saisir/"):
        response = client.post(base + suffix, {"title": "Élue", "label": "Élue", "intro": "Élue",
                                               "direction": "down"})
        assert response.status_code == 403, suffix
        assert "Votre rôle d’élu donne accès en lecture" in response.content.decode(), suffix
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit


def test_the_responses_open_to_an_elected_official_only_where_the_commune_allows_it(
        staff_client, elected, sceaux, consultation, questionnaire):
    client = staff_client(elected)
    base = consultation.get_backoffice_url()
    for suffix in ("reponses/", "export.csv", "export.xlsx"):
        response = client.get(base + suffix)
        assert response.status_code == 403, suffix
        assert "pas aux données personnelles" in response.content.decode()
    sceaux.elected_personal_data = True
    sceaux.save()
    page = client.get(base).content.decode()
    assert base + "reponses/" in page and base + "export.csv" in page
    responses = client.get(base + "reponses/")
    assert responses.status_code == 200
    assert "reponses/saisir/" not in responses.content.decode()
    assert _posting_forms(responses.content.decode()) == []
    assert client.get(base + "export.csv").status_code == 200


def test_the_agent_still_builds_the_questionnaire(staff_client, agent, consultation, questionnaire):
    client = staff_client(agent)
    page = client.get(consultation.get_backoffice_url()).content.decode()
    assert "Ajouter une partie" in page and _posting_forms(page)
    response = client.post(consultation.get_backoffice_url() + "sections/nouvelle/", {"title": "Vos remarques"})
    assert response.status_code == 302
    assert Section.objects.filter(component=consultation, title="Vos remarques").exists()
    question = questionnaire.transport
    client.post(consultation.get_backoffice_url() + f"questions/{question.pk}/deplacer/", {"direction": "down"})
    assert Question.objects.get(pk=question.pk).position > question.position
