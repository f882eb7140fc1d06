"""Public pages and back-office as residents, officials, agents and the outsider see them."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from concerto.components.questions import services
from concerto.components.questions.models import Question
from concerto.testing import login_with_mfa

pytestmark = pytest.mark.django_db


def _url(name, question=None, **kwargs):
    component = (question.component if question else kwargs.pop("component"))
    space = component.space
    args = [space.organisation.slug, space.slug, component.pk] + ([question.pk] if question else [])
    return reverse(name, args=args)


def test_a_resident_asks_a_question_to_an_official_and_sees_it_awaits_moderation(client, questions, resident,
                                                                                  profile):
    client.force_login(resident)
    page = client.get(_url("questions:ask", component=questions))
    assert "Claire Dubois (Mobilités, Climat)" in page.content.decode()
    assert "Le cabinet du maire" in page.content.decode()
    response = client.post(_url("questions:ask", component=questions), {
        "addressee": profile.pk, "title": "Où en est la piste cyclable ?", "text": ""}, follow=True)
    question = Question.objects.get()
    assert question.addressee == profile and question.author == resident
    assert "La modération vérifie" in response.content.decode()


def test_a_bad_question_keeps_what_was_typed_and_says_why(client, questions, resident):
    client.force_login(resident)
    response = client.post(_url("questions:ask", component=questions), {"title": "", "text": "Mon texte gardé"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Écrivez votre question." in page and "Mon texte gardé" in page
    assert Question.objects.count() == 0


def test_an_anonymous_visitor_is_sent_to_sign_in_to_ask(client, questions):
    response = client.get(_url("questions:ask", component=questions))
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_a_pending_question_is_a_404_for_others_and_visible_to_its_author(client, asked, resident):
    assert client.get(asked.get_absolute_url()).status_code == 404
    client.force_login(resident)
    assert "En attente de modération" in client.get(asked.get_absolute_url()).content.decode()


def test_residents_support_and_the_page_shows_the_commitment_and_deadline(client, published):
    from concerto.testing import UserFactory

    for n in range(2):
        client.force_login(UserFactory(email=f"s{n}@example.org"))
        response = client.post(_url("questions:support", published), follow=True)
    page = response.content.decode()
    published.refresh_from_db()
    assert published.support_count == 2
    assert "la question a atteint son seuil" in page
    assert "au plus tard le" in page
    again = client.post(_url("questions:support", published), follow=True).content.decode()
    assert "Vous soutenez déjà cette question" in again
    published.refresh_from_db()
    assert published.support_count == 2


def test_the_answer_page_shows_who_answered_when_and_late_answers(client, committed, agent):
    Question.objects.filter(pk=committed.pk).update(due_at=timezone.now() - timedelta(days=2))
    committed.refresh_from_db()
    page = client.get(committed.get_absolute_url()).content.decode()
    assert "Réponse en retard" in page and "la réponse se fait attendre" in page
    services.question_answer(actor=agent, question=committed, text="Voici notre réponse.")
    page = client.get(committed.get_absolute_url()).content.decode()
    assert "Voici notre réponse." in page and "Réponse de Agent de Sceaux" in page and "Réponse en retard" in page


def test_the_official_s_profile_shows_delegations_answers_average_time_and_hosted_events(client, committed, elected,
                                                                                         agent, profile, space):
    from concerto.components.questions.tests.test_services import make_event

    services.question_assign(actor=agent, question=committed, assignee=elected)
    services.question_answer(actor=elected, question=committed, text="Réponse de l’élue.")
    make_event(space, title="Balade à vélo", organiser="Claire Dubois, adjointe", days=-3)
    make_event(space, title="Conseil de quartier", organiser="Le maire", days=-2)
    page = client.get(profile.get_absolute_url()).content.decode()
    assert "Claire Dubois" in page and "Adjointe au maire" in page and "Mobilités" in page
    assert committed.title.replace("'", "&#x27;") in page
    assert "délai médian de réponse" in page
    assert "Balade à vélo" in page and "Conseil de quartier" not in page
    listing = client.get(reverse("questions_organisation:index", args=["sceaux"])).content.decode()
    assert profile.get_absolute_url() in listing


def test_a_profile_of_another_commune_is_a_404(client, profile):
    assert client.get(f"/montreuil/elus/{profile.slug}/").status_code == 404


# ------------------------------------------------------------------------------------------------ back-office


def test_the_assigned_official_answers_from_the_back_office_with_a_document(client, committed, agent, elected):
    services.question_assign(actor=agent, question=committed, assignee=elected)
    login_with_mfa(client, elected)
    page = client.get(_url("questions_backoffice:detail", committed)).content.decode()
    assert "Publier la réponse" in page
    pdf = SimpleUploadedFile("reponse.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                             content_type="application/pdf")
    response = client.post(_url("questions_backoffice:answer", committed),
                           {"text": "Tout est dans le document.", "document": pdf, "action": "publish"})
    assert response.status_code == 302
    committed.refresh_from_db()
    assert committed.answered_by == elected and committed.answer_document.name.endswith(".pdf")


def test_an_official_who_is_not_assigned_reads_without_a_form_and_is_refused(client, committed, elected):
    login_with_mfa(client, elected)
    page = client.get(_url("questions_backoffice:detail", committed)).content.decode()
    assert committed.title.replace("'", "&#x27;") in page and "Publier la réponse" not in page
    response = client.post(_url("questions_backoffice:answer", committed), {"text": "Non."})
    assert response.status_code == 403 and "Votre rôle d’élu" in response.content.decode()
    committed.refresh_from_db()
    assert committed.answered_at is None


def test_an_empty_answer_is_refused_with_the_form_kept(client, committed, agent):
    login_with_mfa(client, agent)
    response = client.post(_url("questions_backoffice:answer", committed), {"text": " ", "video_url": "pas une url"})
    assert response.status_code == 400
    assert "pas une url" in response.content.decode()


def test_an_agent_assigns_and_moves_the_deadline(client, committed, agent, elected):
    login_with_mfa(client, agent)
    client.post(_url("questions_backoffice:assign", committed), {"assignee": elected.pk})
    client.post(_url("questions_backoffice:deadline", committed), {"due_at": "2099-01-31"})
    committed.refresh_from_db()
    assert committed.assignee == elected and committed.due_at.year == 2099
    bad = client.post(_url("questions_backoffice:deadline", committed), {"due_at": "31/02/2026"})
    assert bad.status_code == 400


def test_an_agent_creates_a_profile_and_the_figures_page_shows_the_commune(client, questions, agent, sceaux):
    from concerto.testing import persona

    official = persona("adjoint@sceaux.example.org", role="elected", organisation=sceaux, display_name="Paul Roy")
    login_with_mfa(client, agent)
    url = _url("questions_backoffice:profile_create", component=questions)
    assert client.post(url, {"user": official.pk, "name": "", "mandate": ""}).status_code == 400
    client.post(url, {"user": official.pk, "name": "Paul Roy", "mandate": "Conseiller municipal",
                      "delegations": "Jeunesse", "published": "on"})
    assert official.official_profiles.get().slug == "paul-roy"
    figures = client.get(_url("questions_backoffice:figures", component=questions)).content.decode()
    assert "délai médian de réponse" in figures


def test_the_back_office_lists_questions_awaiting_moderation(client, asked, agent):
    login_with_mfa(client, agent)
    page = client.get(_url("questions_backoffice:index", component=asked.component) + "?liste=moderation")
    assert asked.title.replace("'", "&#x27;") in page.content.decode()
    assert "1 question attend la modération." in page.content.decode()


def test_the_outsider_sees_and_changes_nothing(client, committed, outsider):
    login_with_mfa(client, outsider)
    component = committed.component
    for name in ("questions_backoffice:index", "questions_backoffice:figures", "questions_backoffice:profiles"):
        assert client.get(_url(name, component=component)).status_code == 403
    assert client.get(_url("questions_backoffice:detail", committed)).status_code == 403
    assert client.post(_url("questions_backoffice:answer", committed), {"text": "Intrus"}).status_code == 403
    # Under Montreuil's name, Sceaux's component is a 404.
    montreuil_url = f"/gestion/montreuil/{component.space.slug}/elus/{component.pk}/{committed.pk}/"
    assert client.get(montreuil_url).status_code == 404
    assert client.post(montreuil_url + "repondre/",
                       {"text": "Intrus"}).status_code == 404
    committed.refresh_from_db()
    assert committed.answered_at is None
