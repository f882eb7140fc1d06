"""Concertation plans and the actors directory: what agents, officials, other communes and residents see and do."""

import pytest
from django.urls import reverse

from concerto.core.audit.models import AuditEntry
from concerto.core.mobilisation import services
from concerto.core.mobilisation.models import Actor, ActorContact, Plan

pytestmark = pytest.mark.django_db


def _url(name, *args):
    return reverse(f"mobilisation_backoffice:{name}", args=["sceaux", *args])


def _section(space, slug):
    return _url("plan_section", space.slug, slug)


def _fill(client, space):
    """Every section of SPACE's plan, through the pages, as an agent would."""
    posts = {
        "question": {"question": "Comment réaménager la place de la Gare ?",
                     "open_to_change": "Les usages, le mobilier, les plantations.",
                     "not_open": "La gare routière reste où elle est."},
        "decision": {"decision": "Le programme des travaux.", "decision_maker": "Le conseil municipal",
                     "decision_date": "2027-06-15"},
        "publics": {"age_bands": ["15-29", "75+"], "actor_kinds": ["trader", "school"],
                    "quartiers": "Les Blagis", "priority_areas": "on", "publics_note": "Les moins entendus."},
        "acteurs": {"name": "Association des commerçants", "role": "Relayer auprès des clients",
                    "reached_by": "Réunion mensuelle"},
        "calendrier": {"date": "2027-01-20", "kind": "event", "title": "Marche exploratoire",
                       "public": "Jeunes du quartier"},
        "canaux": {"channels": ["web", "street", "chat"]},
        "retours": {"feedback": "Une réunion publique et une page de suivi.", "feedback_date": "2027-07-01"},
    }
    for slug, data in posts.items():
        response = client.post(_section(space, slug), data)
        assert response.status_code == 302, (slug, response.content.decode()[:2000])


def test_an_agent_writes_a_plan_section_by_section_and_publishes_it(staff_client, agent, space, client):
    browser = staff_client(agent)
    page = browser.get(_url("plan", space.slug)).content.decode()
    assert "Plan de concertation" in page and page.count('status--draft">à compléter') == 7
    response = browser.post(_section(space, "question"), {"question": "Comment réaménager la place ?",
                                                          "open_to_change": "Les usages."})
    assert response.status_code == 302 and response["Location"] == _section(space, "decision")  # the next one
    # a draft with six sections missing cannot be published: it says which
    response = browser.post(_url("plan_publish", space.slug), follow=True)
    assert "ne peut pas encore être publié" in response.content.decode()
    assert "La décision" in response.content.decode()
    assert Plan.objects.get(space=space).status == "draft"
    _fill(browser, space)
    calendar = browser.get(_section(space, "calendrier")).content.decode()
    assert f"/gestion/sceaux/kits/nouveau/?target=space:{space.pk}" in calendar  # a poster for the calendar
    space.status = "draft"  # a poster points to the space's public page: none while it is a draft
    space.save()
    assert "/kits/nouveau/" not in browser.get(_section(space, "calendrier")).content.decode()
    space.status = "published"
    space.save()
    browser.post(_url("plan_publish", space.slug))
    plan = Plan.objects.get(space=space)
    assert plan.is_published and plan.age_bands == ["15-29", "75+"] and plan.priority_areas
    assert AuditEntry.objects.filter(action="mobilisation.plan_published").count() == 1
    # residents read it, linked from the space's page
    client.logout()
    public = client.get(f"/sceaux/{space.slug}/concertation/")
    text = public.content.decode()
    assert public.status_code == 200
    assert "Comment réaménager la place de la Gare" in text and "Marche exploratoire" in text
    assert "15 à 29 ans" in text and "Association des commerçants" in text
    assert "Réunion mensuelle" not in text  # how actors are reached stays internal
    assert f"/sceaux/{space.slug}/concertation/" in client.get(f"/sceaux/{space.slug}/").content.decode()


def test_a_draft_plan_or_a_draft_space_is_not_public(staff_client, agent, space, client):
    assert client.get(f"/sceaux/{space.slug}/concertation/").status_code == 404
    browser = staff_client(agent)
    _fill(browser, space)
    assert client.get(f"/sceaux/{space.slug}/concertation/").status_code == 404  # complete, not published
    assert "/concertation/" not in client.get(f"/sceaux/{space.slug}/").content.decode()
    browser.post(_url("plan_publish", space.slug))
    space.status = "draft"
    space.save()
    client.logout()
    assert client.get(f"/sceaux/{space.slug}/concertation/").status_code == 404


def test_bad_input_is_refused_in_french_and_loses_nothing(staff_client, agent, space):
    browser = staff_client(agent)
    browser.post(_section(space, "decision"), {"decision": "Le programme.", "decision_maker": "Le maire"})
    response = browser.post(_section(space, "decision"), {"decision": "Autre chose", "decision_date": "32/13/2027"})
    assert response.status_code == 400
    assert "Saisissez une date valide" in response.content.decode()
    assert Plan.objects.get(space=space).decision == "Le programme."
    response = browser.post(_section(space, "acteurs"), {"role": "Relayer", "reached_by": "Courrier"})
    assert response.status_code == 400 and "Choisissez un acteur de l’annuaire" in response.content.decode()
    response = browser.post(_section(space, "publics"), {"age_bands": ["12-18"]})
    assert response.status_code == 400
    assert browser.get(_section(space, "nimporte")).status_code == 404


def test_a_published_plan_keeps_one_actor_and_one_date(staff_client, agent, space):
    browser = staff_client(agent)
    _fill(browser, space)
    calendar = browser.get(_section(space, "calendrier")).content.decode()
    assert f"/gestion/sceaux/kits/nouveau/?target=space:{space.pk}" in calendar  # a poster for the calendar
    space.status = "draft"  # a poster points to the space's public page: none while it is a draft
    space.save()
    assert "/kits/nouveau/" not in browser.get(_section(space, "calendrier")).content.decode()
    space.status = "published"
    space.save()
    browser.post(_url("plan_publish", space.slug))
    plan = Plan.objects.get(space=space)
    row = plan.stakeholders.get()
    response = browser.post(_url("plan_row_remove", space.slug, "acteurs", row.pk), follow=True)
    assert "garde au moins un acteur et une date" in response.content.decode()
    assert plan.stakeholders.count() == 1


def test_officials_read_the_plan_and_other_communes_and_residents_do_not(staff_client, elected, outsider, resident,
                                                                        space):
    browser = staff_client(elected)
    assert browser.get(_url("plan", space.slug)).status_code == 200
    assert browser.post(_section(space, "question"), {"question": "Non"}).status_code == 403
    browser = staff_client(outsider)
    assert browser.get(_url("plan", space.slug)).status_code in (403, 404)
    assert browser.post(_url("plan_publish", space.slug)).status_code in (403, 404)
    browser.force_login(resident)
    assert browser.get(_url("plan", space.slug)).status_code in (302, 403)  # 2FA set-up first, then refused
    assert not Plan.objects.filter(question="Non").exists()


def test_the_actors_directory_keeps_contact_persons_private(staff_client, agent, elected, outsider, sceaux):
    browser = staff_client(agent)
    response = browser.post(_url("actor_create"), {"name": "Les Jardins partagés", "kind": "association",
                                                   "quartiers": "Les Blagis", "priority_area": "on"})
    item = Actor.objects.get()
    assert response.status_code == 302 and item.organisation == sceaux and item.priority_area
    response = browser.post(_url("actor", item.pk), {"contact": "1", "name": "Awa Diallo", "role": "Présidente"})
    assert response.status_code == 400 and "Donnez une adresse e-mail ou un numéro" in response.content.decode()
    browser.post(_url("actor", item.pk), {"contact": "1", "name": "Awa Diallo", "email": "awa@example.org"})
    assert ActorContact.objects.get().email == "awa@example.org"
    listing = browser.get(_url("actors"), {"qpv": "on"}).content.decode()
    assert "Les Jardins partagés" in listing
    assert "Les Jardins partagés" not in browser.get(_url("actors"), {"kind": "school"}).content.decode()
    assert "awa@example.org" in browser.get(_url("actor", item.pk)).content.decode()
    # an elected official of a commune that keeps personal data from its officials reads the actor, not its contact
    officials = staff_client(elected)
    page = officials.get(_url("actor", item.pk)).content.decode()
    assert "Les Jardins partagés" in page and "awa@example.org" not in page
    # another commune reaches nothing
    others = staff_client(outsider)
    assert others.get(_url("actor", item.pk)).status_code in (403, 404)
    assert others.get(reverse("mobilisation_backoffice:actor", args=["montreuil", item.pk])).status_code == 404
    assert others.post(reverse("mobilisation_backoffice:actor_delete", args=["montreuil", item.pk])).status_code \
        == 404
    assert Actor.objects.exists()


def test_a_stakeholder_from_another_organisation_s_directory_is_refused(agent, space, montreuil):
    foreign = Actor.objects.create(organisation=montreuil, name="Club de Montreuil", kind="association")
    plan = services.plan_of(space)
    with pytest.raises(services.PlanRefused):
        services.stakeholder_add(actor=agent, plan=plan, values={"actor": foreign, "role": "r", "reached_by": "x"})
