"""The proposals back-office: official answers, categories and exports; the outsider reaches nothing."""

import csv
import io
import json

import pytest
from django.core import mail
from django.urls import reverse

from concerto.components.proposals import services
from concerto.components.proposals.models import Category, Proposal
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.services import follow_add, moderation_hide

pytestmark = pytest.mark.django_db


def _url(component, name="index", *args):
    space = component.space
    return reverse(f"proposals_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


def test_the_agent_sees_every_proposal_with_its_figures_and_answer(staff_client, agent, proposals, proposal,
                                                                   author, moderator):
    hidden = services.proposal_create(author=author, component=proposals, title="Masquée", text="x")
    moderation_hide(moderator=moderator, content=hidden)
    html = staff_client(agent).get(_url(proposals)).content.decode()
    assert proposal.title in html and "Masquée" in html and "Masquée par la modération" in html
    assert "Sans réponse" in html and "Répondre" in html
    assert "Télécharger les propositions publiques (CSV)" in html


def test_the_list_writes_the_date_of_each_proposal_in_words(staff_client, agent, proposals, proposal):
    from datetime import datetime

    from django.utils import timezone

    Proposal.objects.filter(pk=proposal.pk).update(created_at=timezone.make_aware(datetime(2026, 12, 6, 10, 0)))
    html = staff_client(agent).get(_url(proposals)).content.decode()
    assert "6 décembre 2026" in html
    assert "06/12/2026" not in html


def test_the_agent_answers_and_the_author_and_followers_are_told(
        staff_client, agent, resident, proposals, proposal, django_capture_on_commit_callbacks):
    follow_add(user=resident, target=proposal)
    client = staff_client(agent)
    form = client.get(_url(proposals, "answer", proposal.pk)).content.decode()
    assert "Réponse publique" in form and "Des pommiers et des poiriers" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(proposals, "answer", proposal.pk),
                               {"status": "under_study", "text": "Les services étudient les essences possibles."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.answer_status == "under_study"
    assert sorted(m.to[0] for m in mail.outbox) == ["auteur@example.org", "resident@example.org"]
    assert "À l’étude" in client.get(proposal.get_absolute_url()).content.decode()


def test_a_rejection_without_reason_is_a_400_in_french(staff_client, agent, proposals, proposal):
    response = staff_client(agent).post(_url(proposals, "answer", proposal.pk), {"status": "rejected", "text": ""})
    assert response.status_code == 400
    assert "Expliquez pourquoi la proposition est rejetée" in response.content.decode()
    bad = staff_client(agent).post(_url(proposals, "answer", proposal.pk), {"status": "peut-être"})
    assert bad.status_code == 400 and "Choisissez une réponse dans la liste." in bad.content.decode()
    proposal.refresh_from_db()
    assert proposal.answer_status == ""


def test_the_agent_manages_categories(staff_client, agent, proposals, proposal, category):
    client = staff_client(agent)
    assert client.post(_url(proposals, "categories"), {"name": "Mobilités", "position": "2"}).status_code == 302
    duplicate = client.post(_url(proposals, "categories"), {"name": "mobilités"})
    assert duplicate.status_code == 400 and "Une catégorie porte déjà ce nom." in duplicate.content.decode()
    empty = client.post(_url(proposals, "categories"), {"name": "  "})
    assert empty.status_code == 400 and "Donnez un nom à la catégorie." in empty.content.decode()
    mobility = Category.objects.get(name="Mobilités")
    client.post(_url(proposals, "category_edit", mobility.pk), {"name": "Déplacements", "position": "1"})
    mobility.refresh_from_db()
    assert (mobility.name, mobility.position) == ("Déplacements", 1)
    confirm = client.get(_url(proposals, "category_delete", category.pk)).content.decode()
    assert "1 proposition y est classée" in confirm
    client.post(_url(proposals, "category_delete", category.pk))
    proposal.refresh_from_db()
    assert proposal.category is None and not Category.objects.filter(pk=category.pk).exists()
    assert AuditEntry.objects.filter(action__startswith="proposals.category_").count() == 4


def test_exports_hold_public_proposals_without_personal_data(staff_client, agent, resident, proposals, proposal,
                                                              author, moderator):
    services.support_add(user=resident, proposal=proposal)
    hidden = services.proposal_create(author=author, component=proposals, title="Masquée", text="x")
    moderation_hide(moderator=moderator, content=hidden)
    client = staff_client(agent)
    response = client.get(_url(proposals, "export_csv"))
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["title"] for row in rows] == [proposal.title]
    assert rows[0]["supports"] == "1" and rows[0]["category"] == "Nature en ville"
    assert "@" not in body and "Alex Dupont" not in body and "Camille" not in body
    data = json.loads(b"".join(client.get(_url(proposals, "export_json")).streaming_content))
    assert [item["title"] for item in data] == [proposal.title]
    assert "author" not in data[0]


def test_anonymous_people_are_sent_to_the_login_page(client, proposals):
    response = client.get(_url(proposals))
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_the_outsider_cannot_answer_edit_or_export_sceaux_proposals(staff_client, outsider, proposals, proposal,
                                                                    category):
    client = staff_client(outsider)
    for name, args in (("index", ()), ("answer", (proposal.pk,)), ("categories", ()), ("export_csv", ()),
                       ("export_json", ()), ("category_edit", (category.pk,)), ("category_delete", (category.pk,))):
        assert client.get(_url(proposals, name, *args)).status_code == 403, name
    assert client.post(_url(proposals, "answer", proposal.pk), {"status": "accepted", "text": "x"}).status_code == 403
    assert client.post(_url(proposals, "categories"), {"name": "Intrus"}).status_code == 403
    assert client.post(_url(proposals, "category_delete", category.pk)).status_code == 403
    # Through Montreuil's URLs: the component is not Montreuil's, a 404.
    montreuil = _url(proposals).replace("/gestion/sceaux/", "/gestion/montreuil/")
    assert client.get(montreuil).status_code == 404
    assert client.post(montreuil + f"{proposal.pk}/repondre/", {"status": "accepted"}).status_code == 404
    # Nor by the public pages: only the author edits.
    assert client.post(reverse("proposals:edit", args=["sceaux", proposals.space.slug, proposals.pk, proposal.pk]),
                       {"title": "Intrus", "text": "x"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.answer_status == "" and proposal.title.startswith("Planter")
    assert Category.objects.filter(component=proposals).count() == 1
    assert not Category.objects.filter(name="Intrus").exists()


def test_the_outsider_does_not_see_unpublished_sceaux_proposals(staff_client, outsider, proposals, proposal):
    proposals.published = False
    proposals.save()
    client = staff_client(outsider)
    assert client.get(proposal.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/proposals/proposals/{proposal.pk}").status_code == 404
    assert client.get("/api/v1/proposals/proposals", {"organisation": "sceaux"}).json()["count"] == 0


def test_elected_officials_cannot_answer(staff_client, elected, proposals, proposal):
    assert staff_client(elected).get(_url(proposals, "answer", proposal.pk)).status_code == 403


def test_metropole_admin_answers_sceaux_proposals(staff_client, metropole_admin, proposals, proposal):
    client = staff_client(metropole_admin)
    client.post(_url(proposals, "answer", proposal.pk), {"status": "implemented", "text": "Fait !"})
    assert Proposal.objects.get(pk=proposal.pk).answer_status == "implemented"


FORMULA_TITLE = '=HYPERLINK("http://x","y")'


def test_a_title_that_looks_like_a_formula_is_exported_as_text(staff_client, agent, proposals, author):
    from openpyxl import load_workbook

    services.proposal_create(author=author, component=proposals, title=FORMULA_TITLE, text="x")
    client = staff_client(agent)
    body = b"".join(client.get(_url(proposals, "export_csv")).streaming_content).decode("utf-8-sig")
    assert [row["title"] for row in csv.DictReader(io.StringIO(body))] == ["'" + FORMULA_TITLE]
    response = client.get(_url(proposals, "export_xlsx"))
    assert response.status_code == 200
    assert f'filename="propositions-{proposals.pk}.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows())
    title = [cell.value for cell in rows[0]].index("title")
    assert rows[1][title].value == "'" + FORMULA_TITLE and rows[1][title].data_type == "s"
    assert "Télécharger les propositions publiques (XLSX)" in client.get(_url(proposals)).content.decode()
