"""What an agent and an administrator of Sceaux do in the back-office, page by page."""

import html

import pytest
from django.urls import reverse

from concerto.core.accounts.models import Role
from concerto.core.audit.models import AuditEntry
from concerto.core.spaces.models import Space
from concerto.core.spaces.tests.images import image_upload, text_upload
from concerto.testing import SpaceFactory, persona

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page as a person reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())

SPACE_DATA = {
    "title": "Budget participatif 2026",
    "slug": "",
    "summary": "Proposez, votez, réalisons.",
    "description": "La ville consacre 300 000 euros aux projets des habitants.",
    "image_alt": "",
    "start_date": "2026-03-01",
    "end_date": "2026-06-30",
}


def test_agent_creates_a_space_with_steps_and_news_then_publishes_it(staff_client, agent, sceaux, client):
    bo = staff_client(agent)
    response = bo.post(reverse("backoffice:space_create", args=["sceaux"]),
                       {**SPACE_DATA, "scope": [sceaux.pk]})
    assert response.status_code == 302
    space = Space.objects.get(organisation=sceaux)
    assert space.slug == "budget-participatif-2026"
    assert response.url == reverse("backoffice:space", args=["sceaux", space.slug])

    for title, start, end in [("Dépôt des idées", "2026-03-01", "2026-04-15"),
                              ("Vote", "2026-05-01", "2026-06-30")]:
        response = bo.post(reverse("backoffice:step_create", args=["sceaux", space.slug]),
                           {"title": title, "start_date": start, "end_date": end})
        assert response.status_code == 302
    assert [step.title for step in space.steps.all()] == ["Dépôt des idées", "Vote"]

    response = bo.post(reverse("backoffice:component_add", args=["sceaux", space.slug]),
                       {"kind": "news", "title": "Actualités du budget"})
    component = space.components.get()
    assert response.url == reverse("backoffice:component", args=["sceaux", space.slug, component.pk])

    settings_url = response.url
    page = text(bo.get(settings_url))
    assert 'type="number"' in page and 'type="checkbox"' in page
    assert "Étape «\u00a0Vote\u00a0»" in page
    assert component.get_backoffice_url() in page
    vote = space.steps.get(title="Vote")
    response = bo.post(settings_url, {"title": "Actualités du budget", "posts_per_page": "beaucoup",
                                      "comments_enabled": "on"})
    assert response.status_code == 400
    assert "Saisissez un nombre entier" in text(response)
    response = bo.post(settings_url, {"title": "Actualités du budget", "posts_per_page": "99"})
    assert response.status_code == 400
    assert "50" in text(response)
    response = bo.post(settings_url, {"title": "Actualités du budget", "posts_per_page": "5",
                                      "comments_enabled": "on", f"step_{vote.pk}__comments_open": ""})
    assert response.status_code == 302
    component.refresh_from_db()
    assert component.setting("posts_per_page") == 5
    assert component.step_setting("comments_open", vote) is False

    bo.post(reverse("backoffice:component_publish", args=["sceaux", space.slug, component.pk]))
    response = bo.post(reverse("backoffice:space_publish", args=["sceaux", space.slug]), follow=True)
    assert "L'espace est publié" in text(response)

    client.logout()
    public = text(client.get("/sceaux/"))
    assert "Budget participatif 2026" in public
    assert "Actualités du budget" in text(client.get(space.get_absolute_url()))
    actions = set(AuditEntry.objects.filter(organisation=sceaux, actor=agent)
                  .values_list("action", flat=True))
    assert {"space.created", "step.created", "component.added", "component.settings_updated",
            "component.published", "space.published"} <= actions


def test_slug_taken_by_another_space_gives_a_french_error(staff_client, agent, sceaux):
    SpaceFactory(organisation=sceaux, slug="plu")
    response = staff_client(agent).post(reverse("backoffice:space_create", args=["sceaux"]),
                                         {**SPACE_DATA, "slug": "plu"})
    assert response.status_code == 400
    assert "utilise déjà l'adresse «\u00a0plu\u00a0»" in text(response)
    assert Space.objects.filter(organisation=sceaux).count() == 1


def test_reserved_slug_gives_a_french_error(staff_client, agent, sceaux):
    response = staff_client(agent).post(reverse("backoffice:space_create", args=["sceaux"]),
                                        {**SPACE_DATA, "slug": "actualites"})
    assert response.status_code == 400
    assert "déjà dans ses adresses" in text(response)


def test_end_date_before_start_date_is_rejected_and_the_input_kept(staff_client, agent, sceaux):
    response = staff_client(agent).post(reverse("backoffice:space_create", args=["sceaux"]),
                                        {**SPACE_DATA, "start_date": "2026-06-30", "end_date": "2026-03-01"})
    html = text(response)
    assert response.status_code == 400
    assert "La date de fin doit être le même jour que la date de début ou après" in html
    assert "La ville consacre 300 000 euros" in html
    assert not Space.objects.exists()


def test_upload_of_a_non_image_is_rejected(staff_client, agent, sceaux):
    response = staff_client(agent).post(reverse("backoffice:space_create", args=["sceaux"]),
                                        {**SPACE_DATA, "image": text_upload(), "image_alt": "Le parc"})
    assert response.status_code == 400
    assert "Ce fichier n’est pas une image acceptée" in text(response)
    assert not Space.objects.exists()


def test_agent_edits_a_space_and_adds_an_image(staff_client, agent, sceaux, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    space = SpaceFactory(organisation=sceaux, slug="plu")
    url = reverse("backoffice:space_edit", args=["sceaux", "plu"])
    assert staff_client(agent).get(url).status_code == 200
    response = staff_client(agent).post(url, {**SPACE_DATA, "slug": "plu", "image": image_upload(),
                                              "image_alt": "Le centre-ville"})
    assert response.status_code == 302
    space.refresh_from_db()
    assert space.title == "Budget participatif 2026" and space.image


def test_publishing_without_description_says_what_is_missing(staff_client, agent, sceaux):
    SpaceFactory(organisation=sceaux, slug="vide", description="", status=Space.Status.DRAFT)
    client = staff_client(agent)
    html = text(client.get(reverse("backoffice:space", args=["sceaux", "vide"])))
    assert "Rédigez une description" in html
    response = client.post(reverse("backoffice:space_publish", args=["sceaux", "vide"]), follow=True)
    assert "Rédigez une description" in text(response)
    assert Space.objects.get(slug="vide").status == Space.Status.DRAFT


def test_step_with_end_before_start_is_rejected(staff_client, agent, sceaux):
    SpaceFactory(organisation=sceaux, slug="plu")
    response = staff_client(agent).post(reverse("backoffice:step_create", args=["sceaux", "plu"]),
                                        {"title": "Vote", "start_date": "2026-05-01",
                                         "end_date": "2026-04-01"})
    assert response.status_code == 400
    assert "La date de fin" in text(response)


def test_deleting_a_step_asks_for_confirmation(staff_client, agent, sceaux_space):
    step = sceaux_space.steps.get()
    client = staff_client(agent)
    url = reverse("backoffice:step_delete", args=["sceaux", "budget", step.pk])
    response = client.get(url)
    assert "Supprimer l'étape" in text(response)
    assert sceaux_space.steps.exists()
    client.post(url)
    assert not sceaux_space.steps.exists()


def test_organisation_page_lists_spaces_of_every_status_in_words(staff_client, agent, sceaux):
    SpaceFactory(organisation=sceaux, title="Brouillon PLU", status=Space.Status.DRAFT)
    SpaceFactory(organisation=sceaux, title="Budget en ligne")
    SpaceFactory(organisation=sceaux, title="Ancienne concertation", status=Space.Status.ARCHIVED)
    page = text(staff_client(agent).get(reverse("backoffice:organisation", args=["sceaux"])))
    for words in ["Brouillon PLU", "Budget en ligne", "Ancienne concertation", "Brouillon", "Publié",
                  "Archivé", "Créer un espace"]:
        assert words in page


def test_dashboard_counts_spaces_by_status_and_says_location_checks_are_off(staff_client, agent, sceaux):
    SpaceFactory(organisation=sceaux)
    SpaceFactory(organisation=sceaux)
    SpaceFactory(organisation=sceaux, status=Space.Status.DRAFT)
    html = text(staff_client(agent).get(reverse("backoffice:dashboard")))
    assert "Sceaux" in html
    assert "2 espaces" in html and "1 espace" in html
    assert "Les contrôles de localisation sont désactivés" in html


def test_metropole_admin_searches_the_organisations_below(staff_client, metropole_admin):
    client = staff_client(metropole_admin)
    html = text(client.get(reverse("backoffice:dashboard"), {"q": "sceaux"}))
    assert 'href="/gestion/sceaux/"' in html
    assert 'href="/gestion/montreuil/"' not in html
    assert 'href="/gestion/montreuil/"' in text(client.get(reverse("backoffice:dashboard")))


def test_admin_gives_a_role_by_email_and_removes_it(staff_client, admin_sceaux, sceaux):
    newcomer = persona("nouvelle@sceaux.example.org")
    client = staff_client(admin_sceaux)
    url = reverse("backoffice:roles", args=["sceaux"])
    response = client.post(url, {"email": "Nouvelle@Sceaux.example.org", "kind": "agent"}, follow=True)
    assert "nouvelle@sceaux.example.org" in text(response)
    role = Role.objects.get(user=newcomer, organisation=sceaux, kind="agent")
    response = client.post(reverse("backoffice:role_revoke", args=["sceaux", role.pk]))
    assert response.status_code == 302
    assert not Role.objects.filter(pk=role.pk).exists()
    actions = list(AuditEntry.objects.filter(organisation=sceaux).values_list("action", flat=True))
    assert "role.granted" in actions and "role.revoked" in actions


def test_only_agents_and_administrators_see_their_colleagues_addresses(staff_client, agent, elected, sceaux):
    url = reverse("backoffice:roles", args=["sceaux"])
    assert agent.email in text(staff_client(agent).get(url))
    page = text(staff_client(elected).get(url))
    assert agent.email not in page and elected.email not in page
    assert "Élu" in page or "élu" in page  # the roles are still listed


def test_giving_a_role_to_an_unknown_email_says_so_in_french(staff_client, admin_sceaux):
    response = staff_client(admin_sceaux).post(reverse("backoffice:roles", args=["sceaux"]),
                                               {"email": "personne@example.org", "kind": "agent"})
    assert response.status_code == 400
    assert "Aucun compte n'utilise cette adresse" in text(response)


def test_agent_cannot_give_roles(staff_client, agent, sceaux):
    persona("nouvelle@sceaux.example.org")
    client = staff_client(agent)
    assert "Donner le rôle" not in text(client.get(reverse("backoffice:roles", args=["sceaux"])))
    response = client.post(reverse("backoffice:roles", args=["sceaux"]),
                           {"email": "nouvelle@sceaux.example.org", "kind": "admin"})
    assert response.status_code == 403
    assert not Role.objects.filter(user__email="nouvelle@sceaux.example.org").exists()


def test_admin_cannot_remove_their_own_last_admin_role(staff_client, admin_sceaux):
    role = admin_sceaux.roles.get()
    response = staff_client(admin_sceaux).post(reverse("backoffice:role_revoke", args=["sceaux", role.pk]))
    assert response.status_code == 400
    assert "Vous ne pouvez pas retirer votre propre rôle" in text(response)
    assert Role.objects.filter(pk=role.pk).exists()


def test_admin_changes_the_settings_and_a_light_colour_is_refused(staff_client, admin_sceaux, sceaux):
    client = staff_client(admin_sceaux)
    url = reverse("backoffice:settings", args=["sceaux"])
    response = client.post(url, {"description": "Ville de Sceaux", "accent_color": "#ffff00"})
    assert response.status_code == 400
    assert "trop claire" in text(response)
    response = client.post(url, {"description": "Ville de Sceaux", "accent_color": "#1d4ed8",
                                 "website": "https://www.sceaux.fr", "contact_email": "mairie@sceaux.fr"})
    assert response.status_code == 302
    sceaux.refresh_from_db()
    assert sceaux.accent_color == "#1d4ed8" and sceaux.website == "https://www.sceaux.fr"
    assert AuditEntry.objects.filter(action="organisation.updated", organisation=sceaux).exists()


def test_a_logo_that_is_not_an_image_is_refused(staff_client, admin_sceaux, sceaux):
    response = staff_client(admin_sceaux).post(reverse("backoffice:settings", args=["sceaux"]),
                                               {"logo": text_upload("logo.png")})
    assert response.status_code == 400
    sceaux.refresh_from_db()
    assert not sceaux.logo


def test_agent_cannot_open_the_settings(staff_client, agent):
    assert staff_client(agent).get(reverse("backoffice:settings", args=["sceaux"])).status_code == 403


def test_audit_page_lists_changes_newest_first_and_filters_by_action(staff_client, admin_sceaux, agent):
    bo = staff_client(agent)
    bo.post(reverse("backoffice:space_create", args=["sceaux"]), SPACE_DATA)
    bo.post(reverse("backoffice:space_publish", args=["sceaux", "budget-participatif-2026"]))
    client = staff_client(admin_sceaux)
    html = text(client.get(reverse("backoffice:audit", args=["sceaux"])))
    assert html.index("<td>Espace publié</td>") < html.index("<td>Espace créé</td>")
    assert "space.published" not in html.replace('value="space.published"', "")  # words, not codes
    assert "agent@sceaux.example.org" in html
    filtered = text(client.get(reverse("backoffice:audit", args=["sceaux"]), {"action": "space.created"}))
    assert "<td>Espace publié</td>" not in filtered
    assert "<td>Espace créé</td>" in filtered


def test_audit_page_is_for_administrators(staff_client, agent):
    assert staff_client(agent).get(reverse("backoffice:audit", args=["sceaux"])).status_code == 403


def test_dashboard_says_nothing_about_location_checks_when_boundaries_are_loaded(staff_client, agent,
                                                                                 monkeypatch):
    monkeypatch.setattr("concerto.core.territory.lookup.is_available", lambda: True)
    page = text(staff_client(agent).get(reverse("backoffice:dashboard")))
    assert "contrôles de localisation" not in page


def test_giving_a_role_twice_says_so(staff_client, admin_sceaux, agent):
    response = staff_client(admin_sceaux).post(reverse("backoffice:roles", args=["sceaux"]),
                                               {"email": agent.email, "kind": "agent"})
    assert response.status_code == 400
    assert "Cette personne a déjà ce rôle ici" in text(response)
