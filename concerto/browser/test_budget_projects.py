"""Participatory budget projects on a phone: a resident submits a project with its place, finds it on its page
with the estimated cost, then in the list. axe on the list, the form and the project's page."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.budgets import services
from concerto.testing import (
    ComponentFactory,
    SpaceFactory,
    StepFactory,
    commune,
    persona,
)


def _setup():
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    author = persona("voisin@example.org", display_name="Alex Dupont", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="bp-2026", title="Budget participatif 2026")
    step = StepFactory(space=space, title="Dépôt des projets", start_date=timezone.localdate(),
                       end_date=timezone.localdate() + timezone.timedelta(days=20))
    component = ComponentFactory(space=space, kind="budgets", title="Budget participatif de Sceaux")
    manifest = component.manifest
    component.step_settings = {str(step.pk): manifest.clean_step_settings(
        {**manifest.step_settings_for(component, step), "submissions_open": True})}
    component.save()
    services.budget_create(actor=agent, component=component, name="Budget de la commune", amount=150_000)
    services.category_create(actor=agent, component=component, name="Nature en ville")
    services.project_create(author=author, component=component, title="Un composteur au square",
                            text="Pour réduire nos déchets.", estimated_cost=4_000, point=(48.7787, 2.2905))
    return component


def test_a_resident_submits_a_project_with_its_place_and_finds_it(page, site, axe_check):
    component = _setup()
    list_url = site.url + component.get_absolute_url()

    log_in(page, site, "habitante@example.org")

    page.goto(list_url)
    expect(page.get_by_role("heading", level=1, name="Budget participatif de Sceaux")).to_be_visible()
    assert page.locator(".project-card").count() == 1
    axe_check(page)

    page.get_by_role("link", name="Déposer un projet").click()
    page.wait_for_url("**/deposer/")
    axe_check(page)
    page.get_by_label("Titre de votre projet").fill("Des fontaines au parc")
    page.get_by_label("Décrivez votre projet").fill("Deux fontaines d’eau potable près des jeux d’enfants.")
    page.get_by_label("Coût estimé (€)").fill("0")
    page.get_by_label("Catégorie").select_option(label="Nature en ville")
    page.get_by_label("Latitude").fill("48.7745")
    page.get_by_label("Longitude").fill("2.2990")
    page.get_by_role("button", name="Déposer mon projet").click()
    # A cost of 0 € is refused with a clear message; what was typed is kept.
    expect(page.locator(".error-summary").get_by_text("Le montant doit être supérieur à 0 €.")).to_be_visible()
    expect(page.get_by_label("Titre de votre projet")).to_have_value("Des fontaines au parc")
    axe_check(page)

    page.get_by_label("Coût estimé (€)").fill("12000")
    page.get_by_role("button", name="Déposer mon projet").click()
    page.wait_for_url(re.compile(r".*/projets/\d+/$"))
    expect(page.get_by_role("heading", level=1, name="Des fontaines au parc")).to_be_visible()
    expect(page.get_by_text("Votre projet est déposé.")).to_be_visible()
    expect(page.locator(".project-costs").get_by_text(re.compile(r"12\s000\s€"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Déposé le .* par Camille Martin"))).to_be_visible()
    # No address service in tests: the place is named by its commune (or said to be on the map), never coordinates.
    expect(page.locator("p.place").get_by_text(re.compile(r"le lieu (exact )?est sur la carte"))).to_be_visible()
    expect(page.get_by_role("link", name="Modifier mon projet")).to_be_visible()
    axe_check(page)

    page.goto(list_url)
    assert page.locator(".project-card").count() == 2
    expect(page.get_by_role("link", name="Des fontaines au parc")).to_be_visible()
    page.goto(list_url + "?vue=carte")
    page.locator(".leaflet-marker-icon, .marker-cluster").first.wait_for()
    axe_check(page)


def test_an_agent_reviews_a_project_and_publishes_the_ballot_list_on_accessible_pages(page, site, axe_check):
    component = _setup()
    project = component.budget_projects.get()
    space = component.space
    base = f"{site.url}/gestion/sceaux/{space.slug}/budget-participatif/{component.pk}/"
    log_in(page, site, "agent@sceaux.example.org", totp=True)

    page.goto(base)
    expect(page.get_by_role("link", name="Un composteur au square", exact=True)).to_be_visible()
    axe_check(page)

    page.goto(f"{base}projets/{project.pk}/")
    page.get_by_role("radio", name="Non recevable").check()
    page.get_by_role("button", name="Enregistrer l’évaluation").click()
    # Not eligible without a reason: the error is shown, nothing is saved.
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.get_by_role("radio", name="Recevable", exact=True).check()
    page.get_by_label("Estimation du coût par les services (€)").fill("4500")
    page.get_by_label("Réponse publique").fill("Projet recevable\u00a0: il sera soumis au vote.")
    page.get_by_role("button", name="Enregistrer l’évaluation").click()
    expect(page.get_by_text("L’évaluation est enregistrée.")).to_be_visible()
    axe_check(page)

    page.goto(f"{base}enveloppes/")
    axe_check(page)
    page.get_by_role("link", name=re.compile("Projets soumis au vote")).first.click()
    page.get_by_label("Soumettre « Un composteur au square » au vote").check()
    page.get_by_role("button", name="Enregistrer la liste").click()
    page.get_by_role("button", name="Publier la liste").click()
    expect(page.get_by_text("La liste est publiée").first).to_be_visible()
    axe_check(page)

    page.goto(site.url + project.get_absolute_url())
    expect(page.get_by_text("Soumis au vote · n° 1")).to_be_visible()
    expect(page.get_by_text("Projet recevable\u00a0: il sera soumis au vote.")).to_be_visible()
    axe_check(page)
