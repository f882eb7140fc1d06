"""The reports back-office pages: queue, report handling, merge, bulk, services, categories, keys; who may do what."""

import pytest
from django.urls import reverse

from concerto.components.reports import workflow
from concerto.components.reports.models import Category, Open311Key, Report, ReportPhoto, Service
from concerto.components.reports.tests.test_workflow import make_category, make_report
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def component(sceaux):
    space = SpaceFactory(organisation=sceaux, slug="ma-ville", title="Dans ma ville")
    return ComponentFactory(space=space, kind="reports", title="Signalements")


@pytest.fixture
def service(sceaux):
    return Service.objects.create(organisation=sceaux, name="Voirie")


@pytest.fixture
def category(sceaux, service):
    return make_category(sceaux, service=service, name="Nid de poule")


@pytest.fixture
def report(category, resident):
    report = make_report(category, author=resident, description="Un trou rue Houdan")
    workflow.report_route(report=report)
    return report


def url(component, name="index", *args):
    space = component.space
    return reverse(f"reports_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


def test_the_agent_sees_the_queue_with_counts_and_filters(staff_client, agent, component, report, category):
    make_report(category, status="resolved", description="Réparé")
    client = staff_client(agent)
    html = client.get(url(component)).content.decode()
    assert "Signalements à traiter" in html and "Nid de poule" in html
    assert "Nouveau&nbsp;: <strong>1</strong>" in html and "Résolu&nbsp;: <strong>1</strong>" in html
    assert "2 signalements" in html
    filtered = client.get(url(component), {"status": "resolved"}).content.decode()
    assert "1 signalement" in filtered
    mine = client.get(url(component), {"assignee": "me"}).content.decode()
    assert "Aucun signalement ne correspond." in mine


def test_the_queue_pages_without_a_cap(staff_client, agent, component, category):
    Report.objects.bulk_create([Report(organisation=category.organisation, category=category, latitude=48.77,
                                       longitude=2.29, token=f"t{i}") for i in range(120)])
    client = staff_client(agent)
    html = client.get(url(component), {"page": 3, "sort": "oldest"}).content.decode()
    assert "120 signalements" in html and "Page 3 sur 3" in html


def test_junk_filters_never_break_the_queue(staff_client, agent, component, report):
    client = staff_client(agent)
    for junk in ({"service": "x"}, {"category": "9" * 40}, {"since": "2026-13-45"}, {"page": "-1"},
                 {"sort": "<script>"}, {"status": "\x00"}, {"commune": "atlantide"}):
        assert client.get(url(component), junk).status_code == 200


def test_the_agent_handles_a_report_and_sees_the_reporters_email(staff_client, agent, component, report):
    client = staff_client(agent)
    page = client.get(url(component, "report", report.pk)).content.decode()
    assert "resident@example.org" in page and "Un trou rue Houdan" in page
    response = client.post(url(component, "report", report.pk), {"action": "status", "status": "acknowledged",
                                                                  "public_text": "Vu, merci."})
    assert response.status_code == 302
    client.post(url(component, "report", report.pk), {"action": "note", "text": "Appeler l’entreprise"})
    client.post(url(component, "report", report.pk), {"action": "assign", "assignee": agent.pk})
    report.refresh_from_db()
    assert report.status == "acknowledged" and report.public_answer == "Vu, merci." and report.assignee == agent
    page = client.get(url(component, "report", report.pk)).content.decode()
    assert "Appeler l’entreprise" in page and "Vu, merci." in page


def test_a_rejection_without_reason_is_a_400_with_the_reason_in_french(staff_client, agent, component, report):
    response = staff_client(agent).post(url(component, "report", report.pk),
                                        {"action": "status", "status": "rejected"})
    assert response.status_code == 400
    assert "Dites pourquoi le signalement est rejeté" in response.content.decode()
    bad = staff_client(agent).post(url(component, "report", report.pk), {"action": "???"})
    assert bad.status_code == 400
    report.refresh_from_db()
    assert report.status == "new"


def test_the_agent_merges_a_duplicate_from_its_page(staff_client, agent, component, report, category):
    original = make_report(category, latitude=report.latitude + 0.0005)  # about 55 m north
    make_report(category, latitude=report.latitude + 0.01)  # 1 km away: not suggested
    client = staff_client(agent)
    page = client.get(url(component, "report", report.pk)).content.decode()
    assert "Signalements ouverts de la même catégorie à proximité" in page and "à 56 m" in page
    assert "à 1112 m" not in page and "à 1 112 m" not in page
    response = client.post(url(component, "merge", report.pk), {"into": original.pk})
    assert response.status_code == 302 and response["Location"] == url(component, "report", original.pk)
    report.refresh_from_db()
    assert report.duplicate_of == original
    again = client.post(url(component, "merge", report.pk), {"into": original.pk}, follow=True)
    assert "Ce signalement est déjà un doublon." in again.content.decode()
    junk = client.post(url(component, "merge", original.pk), {"into": "abc"}, follow=True)
    assert junk.status_code == 200


def test_bulk_actions_say_what_was_done_and_refused(staff_client, agent, component, category):
    fresh, acknowledged = make_report(category), make_report(category, status="acknowledged")
    response = staff_client(agent).post(url(component, "bulk"), {"reports": [fresh.pk, acknowledged.pk, "x"],
                                                                 "action": "acknowledge"}, follow=True)
    html = response.content.decode()
    assert "1 signalement(s) modifié(s), 1 refusé(s)." in html
    fresh.refresh_from_db()
    assert fresh.status == "acknowledged"


def test_the_elected_official_reads_the_queue_and_the_report_but_acts_on_nothing(
        staff_client, elected, component, report):
    client = staff_client(elected)
    assert client.get(url(component)).status_code == 200
    page = client.get(url(component, "report", report.pk)).content.decode()
    assert "Un trou rue Houdan" in page and "resident@example.org" not in page
    assert client.post(url(component, "report", report.pk), {"action": "status",
                                                             "status": "acknowledged"}).status_code == 403
    assert client.post(url(component, "bulk"), {"reports": [report.pk], "action": "acknowledge"}).status_code == 403
    assert client.post(url(component, "merge", report.pk), {"into": report.pk}).status_code == 403
    assert client.get(url(component, "services")).status_code == 403
    assert client.get(url(component, "api_keys")).status_code == 403
    report.refresh_from_db()
    assert report.status == "new"


def test_the_moderator_hides_a_photo_but_does_not_change_the_status(staff_client, moderator, component, report):
    photo = ReportPhoto.objects.create(report=report, image="reports/x.jpg", width=10, height=10)
    client = staff_client(moderator)
    assert client.post(url(component, "photo_hide", report.pk, photo.pk)).status_code == 302
    photo.refresh_from_db()
    assert photo.hidden_at is not None
    assert client.post(url(component, "report", report.pk), {"action": "status",
                                                             "status": "acknowledged"}).status_code == 403


def test_residents_are_sent_away_and_anonymous_people_to_login(client, staff_client, resident, component, report):
    assert client.get(url(component)).status_code == 302
    client.force_login(resident)
    for name, args in (("index", ()), ("report", (report.pk,)), ("dashboard", ()), ("services", ())):
        assert client.get(url(component, name, *args)).status_code in (302, 403)


@pytest.mark.parametrize("name,args,method", [
    ("index", (), "get"), ("report", ("R",), "get"), ("report", ("R",), "post"), ("merge", ("R",), "post"),
    ("bulk", (), "post"), ("photo_hide", ("R", "P"), "post"), ("services", (), "get"),
    ("service_edit", ("S",), "get"), ("categories", (), "get"), ("category_edit", ("C",), "get"),
    ("dashboard", (), "get"), ("dashboard_csv", (), "get"), ("api_keys", (), "get"), ("api_key_revoke", ("K",), "post"),
])
def test_the_outsider_reaches_no_page(staff_client, outsider, admin_sceaux, component, report, category, service,
                                      sceaux, name, args, method):
    photo = ReportPhoto.objects.create(report=report, image="reports/x.jpg")
    key, _raw = workflow.open311_key_create(actor=admin_sceaux, organisation=sceaux, name="Appli")
    ids = {"R": report.pk, "P": photo.pk, "S": service.pk, "C": category.pk, "K": key.pk}
    client = staff_client(outsider)
    response = getattr(client, method)(url(component, name, *[ids[a] for a in args]),
                                       {"action": "status", "status": "resolved", "reports": [report.pk],
                                        "into": report.pk})
    assert response.status_code in (403, 404)
    report.refresh_from_db()
    key.refresh_from_db()
    assert report.status == "new" and key.revoked_at is None


def test_a_report_of_another_commune_is_a_404_even_for_the_agent(staff_client, agent, component, montreuil):
    elsewhere = make_report(make_category(montreuil, code="voirie-m"))
    assert staff_client(agent).get(url(component, "report", elsewhere.pk)).status_code == 404


def test_the_agent_configures_services_and_categories_with_questions(staff_client, agent, component, sceaux):
    client = staff_client(agent)
    assert client.post(url(component, "services"), {"name": "Propreté", "email": "proprete@sceaux.fr",
                                                    "active": "on"}).status_code == 302
    service = Service.objects.get(name="Propreté")
    duplicate = client.post(url(component, "services"), {"name": "propreté"})
    assert duplicate.status_code == 400
    assert "Un service de cette commune porte déjà ce nom." in duplicate.content.decode()
    response = client.post(url(component, "categories"), {"code": "depot-sauvage", "name": "Dépôt sauvage",
                                                          "service": service.pk, "position": 1, "active": "on"})
    assert response.status_code == 302
    category = Category.objects.get(code="depot-sauvage")
    assert category.service == service and category.organisation == sceaux
    again = client.post(url(component, "categories"), {"code": "depot-sauvage", "name": "X", "position": 0})
    assert again.status_code == 400 and "Une catégorie de cette commune a déjà ce code." in again.content.decode()
    client.post(url(component, "category_edit", category.pk), {
        "action": "question", "code": "volume", "label": "Volume ?", "datatype": "singlevaluelist",
        "options": "Petit\nGros"})
    question = category.questions.get()
    assert question.options == [{"key": "1", "name": "Petit"}, {"key": "2", "name": "Gros"}]
    no_options = client.post(url(component, "category_edit", category.pk), {
        "action": "question", "code": "type", "label": "Type ?", "datatype": "multivaluelist"})
    assert no_options.status_code == 400
    report = make_report(category)
    assert workflow.report_route(report=report) == service


def test_the_admin_creates_a_key_shown_once_and_revokes_it(staff_client, admin_sceaux, agent, component):
    client = staff_client(admin_sceaux)
    html = client.post(url(component, "api_keys"), {"name": "Appli mobile"}).content.decode()
    key = Open311Key.objects.get()
    assert "ne sera plus affichée" in html and key.prefix in html
    listing = client.get(url(component, "api_keys")).content.decode()
    assert "Appli mobile" in listing and "o311_" + "x" not in listing and "Jamais" in listing
    assert client.post(url(component, "api_key_revoke", key.pk)).status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    client.logout()
    assert staff_client(agent).get(url(component, "api_keys")).status_code == 403


@pytest.mark.parametrize("persona,expected", [
    ("agent", {"index": 200, "dashboard": 200, "services": 200, "categories": 200, "api_keys": 403}),
    ("admin_sceaux", {"index": 200, "dashboard": 200, "services": 200, "categories": 200, "api_keys": 200}),
    ("metropole_admin", {"index": 200, "dashboard": 200, "services": 200, "categories": 200, "api_keys": 200}),
    ("elected", {"index": 200, "dashboard": 200, "services": 403, "categories": 403, "api_keys": 403}),
    ("moderator", {"index": 200, "dashboard": 200, "services": 403, "categories": 403, "api_keys": 403}),
    ("outsider", {"index": 403, "dashboard": 403, "services": 403, "categories": 403, "api_keys": 403}),
])
def test_permission_matrix(request, staff_client, component, report, persona, expected):
    client = staff_client(request.getfixturevalue(persona))
    assert {name: client.get(url(component, name)).status_code for name in expected} == expected


def test_bulk_assign_to_someone_outside_the_list_is_refused(staff_client, agent, outsider, component, report):
    response = staff_client(agent).post(url(component, "bulk"), {"reports": [report.pk], "action": "assign",
                                                                 "assignee": outsider.pk}, follow=True)
    assert "Choisissez un agent dans la liste." in response.content.decode()
    report.refresh_from_db()
    assert report.assignee is None
