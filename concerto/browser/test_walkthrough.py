"""What the six-persona walk-through of the demo found and fixed, journey by journey, in Chromium at 360 px and
1280 px with axe: a resident finds the vote from the projects of a budget whose vote is open; a reporter reads
that nobody else has reported the problem yet, then a neighbour's « Moi aussi » is counted; a newcomer who
opens « Se connecter » from the sign-up page lands home once signed in; an agent reads « Tâches de fond »."""

import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.browser.test_budget_vote import _setup as budget_with_open_vote
from concerto.components.reports import services
from concerto.components.reports.models import Category, Report
from concerto.testing import ComponentFactory, SpaceFactory, boundaries_import, commune, persona

WIDTHS = [360, 1280]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_projects_of_a_budget_open_for_voting_lead_to_the_vote(page, site, axe_check, width):
    _admin, component, step, _budget, _projects = budget_with_open_vote()
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, site, "habitante@example.org")

    page.goto(site.url + component.get_absolute_url())
    until = formats.date_format(step.end_date, "j F Y")
    expect(page.get_by_text(f"Vote ouvert jusqu’au {until}")).to_be_visible()
    # The closed submissions are no news while the vote is open.
    expect(page.get_by_text("Le dépôt de projets est fermé")).to_have_count(0)
    axe_check(page)
    page.get_by_role("link", name="Voter", exact=True).last.click()
    page.wait_for_url("**/voter/")
    expect(page.get_by_text(f"Le vote est ouvert jusqu’au {until}.")).to_be_visible()
    expect(page.get_by_role("link", name="Toute la ville")).to_be_visible()  # the ballot, one click away
    axe_check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_report_nobody_else_has_reported_then_a_neighbours_me_too(page, site, axe_check, width):
    sceaux = commune("sceaux")
    persona("voisine@example.org", display_name="Inès Martin", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="ma-ville", title="Ma ville")
    ComponentFactory(space=space, kind="reports", title="Signaler un problème à Sceaux")
    lighting = Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage public")
    report = Report.objects.create(organisation=sceaux, category=lighting, latitude=48.77468, longitude=2.29900,
                                   description="Lampadaire éteint devant l’école", email="parent@example.org",
                                   token=services.new_token())
    page.set_viewport_size({"width": width, "height": 800})

    page.goto(site.url + report.get_absolute_url())
    support = page.locator("#moi-aussi")
    expect(support.get_by_role("heading", level=2)).to_have_text(
        "Personne d’autre n’a encore signalé ce problème")
    expect(page.get_by_text(re.compile(r"\b0 personne"))).to_have_count(0)
    axe_check(page)

    log_in(page, site, "voisine@example.org")
    page.goto(site.url + report.get_absolute_url())
    support.get_by_role("button", name="Moi aussi").click()
    expect(support.get_by_role("heading", level=2)).to_have_text("1 personne a le même problème")
    expect(support.get_by_text("Vous avez dit «\u00a0moi aussi\u00a0» sur ce signalement.")).to_be_visible()
    axe_check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_signing_in_from_the_sign_up_page_leads_home_not_back_to_it(page, site, axe_check, width):
    persona("habitante@example.org", display_name="Camille Martin", residence=commune("sceaux"))
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site.url + reverse("account_signup"))
    axe_check(page)
    sign_in = page.get_by_role("banner").get_by_role("link", name="Se connecter")
    sign_in.click()
    page.wait_for_url("**/compte/login/")
    assert "next=" not in page.url, page.url
    page.get_by_label("Courriel").fill("habitante@example.org")
    page.get_by_label("Mot de passe").fill("concerto-test-password")
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert page.url == site.url + "/", page.url
    axe_check(page)
    # Elsewhere, « Se connecter » still brings the person back to the page they were reading.
    page.context.clear_cookies()
    page.goto(site.url + "/sceaux/")
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_have_attribute(
        "href", "/compte/login/?next=/sceaux/")


@pytest.mark.parametrize("width", WIDTHS)
def test_an_agent_reads_the_background_jobs_link_in_french(page, site, axe_check, width):
    persona("agent@sceaux.example.org", role="admin", organisation=commune("sceaux"))
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, site, "agent@sceaux.example.org", totp=True)
    page.goto(site.url + reverse("backoffice:organisation", args=["sceaux"]))
    axe_check(page)
    page.get_by_role("link", name="Tâches de fond").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tâches de fond de Sceaux")
    expect(page).to_have_title(re.compile("^Tâches de fond"))
    axe_check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_events_back_office_writes_dates_in_french(page, site, axe_check, width):
    from datetime import datetime

    from concerto.components.events import services as events
    from concerto.components.events.models import Event

    sceaux = commune("sceaux")
    persona("agent@sceaux.example.org", role="admin", organisation=sceaux)
    resident = persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="parc-2026", title="Aménagement du parc")
    component = ComponentFactory(space=space, kind="events", title="Rencontres du parc")
    start = timezone.make_aware(datetime(2030, 12, 26, 19, 0))
    event = events.event_create(
        actor=None, component=component, title="Réunion de restitution", kind=Event.Kind.PUBLIC_MEETING,
        format=Event.Format.IN_PERSON, description="<p>Les résultats.</p>", starts_at=start,
        ends_at=start + timezone.timedelta(hours=2), place_name="Salle des fêtes", address="1 rue Houdan",
        point=(48.7786, 2.2906), organiser="Ville de Sceaux", capacity=30)
    events.event_publish(actor=None, event=event)
    events.registration_create(user=resident, event=event)
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, site, "agent@sceaux.example.org", totp=True)

    page.goto(site.url + reverse("events_backoffice:index", args=["sceaux", space.slug, component.pk]))
    row = page.get_by_role("row").filter(has_text="Réunion de restitution")
    expect(row).to_contain_text("26 décembre 2030, 19 h")
    # No English-style abbreviated month (« Déc. 26 »); words that start so (« Décisions et actions ») are fine.
    expect(page.get_by_role("main")).not_to_contain_text(re.compile(r"Déc(?![a-zé])"))
    axe_check(page)
    row.get_by_role("link", name="1 / 30").click()
    page.wait_for_url("**/inscrits/")
    registered = page.get_by_role("row").filter(has_text="Camille Martin")
    expect(registered).to_contain_text(re.compile(r"\d{1,2} [a-zéû]+ 20\d\d, \d{1,2}\s*h"))
    axe_check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_reports_dashboard_names_months_in_words(page, site, axe_check, width):
    import secrets
    from datetime import UTC, datetime

    sceaux = commune("sceaux")
    persona("elu@sceaux.example.org", role="elected", organisation=sceaux)
    component = ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="ma-ville"), kind="reports",
                                 title="Signalements")
    category = Category.objects.create(organisation=sceaux, code="voirie", name="Nid de poule")
    for month in (6, 7):
        report = Report.objects.create(organisation=sceaux, category=category, latitude=48.7745, longitude=2.299,
                                       token=secrets.token_urlsafe(20))
        Report.objects.filter(pk=report.pk).update(created_at=datetime(2026, month, 10, 9, tzinfo=UTC))
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, site, "elu@sceaux.example.org", totp=True)

    page.goto(site.url + reverse("reports_backoffice:dashboard", args=["sceaux", "ma-ville", component.pk]))
    table = page.get_by_role("table", name="Signalements reçus par période et par type")
    expect(table.get_by_role("rowheader")).to_have_text(["juin 2026", "juillet 2026"])
    expect(page.get_by_role("main")).not_to_contain_text("2026-06")
    axe_check(page)
    page.get_by_label("Regrouper par").select_option(label="Semaine")
    page.get_by_role("button", name="Afficher").click()
    expect(table.get_by_role("rowheader")).to_have_text(["semaine du 8 juin 2026", "semaine du 6 juillet 2026"])
    axe_check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_agents_report_page_writes_dates_in_words(page, site, axe_check, width):
    boundaries_import()
    sceaux = commune("sceaux")
    persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    component = ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="ma-ville"), kind="reports",
                                 title="Signalements")
    category = Category.objects.create(organisation=sceaux, code="voirie", name="Nid de poule")
    report = services.report_create(author=None, component=component, category=category, kind="malfunction",
                                    latitude=48.7745, longitude=2.299, description="Trou", answers={},
                                    email="hab@example.org")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, site, "agent@sceaux.example.org", totp=True)

    page.goto(site.url + reverse("reports_backoffice:report", args=["sceaux", "ma-ville", component.pk, report.pk]))
    sent = formats.date_format(timezone.localtime(report.created_at), "j F Y")
    expect(page.locator("dd").filter(has_text="Site web")).to_contain_text(sent)
    expect(page.get_by_role("main")).not_to_contain_text(re.compile(r"\d\d/\d\d/20\d\d"))
    page.get_by_label("Note interne").fill("Prévoir une plaque provisoire.")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.locator(".report-notes li").first).to_contain_text(sent)
    axe_check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_during_a_live_event_its_page_offers_the_board_and_no_seats(page, site, axe_check, width):
    from concerto.components.events.models import Event
    from concerto.components.events.tests.test_live import live_event

    event = live_event(capacity=40, format=Event.Format.HYBRID, online_url="https://visio.example.org/debat")
    page.set_viewport_size({"width": width, "height": 800})

    page.goto(site.url + event.get_absolute_url())
    take_part = page.locator(".event-take-part")
    expect(take_part).to_contain_text("L’événement a commencé\u00a0: les inscriptions sont closes.")
    expect(take_part).not_to_contain_text("places restantes")  # « 40 places restantes » contradicted it
    expect(page.get_by_role("link", name="Ouvrir le mur en direct")).to_be_visible()
    axe_check(page)
