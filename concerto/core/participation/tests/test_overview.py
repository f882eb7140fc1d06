"""The participation overview: figures read from the contributions ledger that the test writes, the page an
elected official reads (charts with their tables, months in French, no coordinates), its CSV, and what
stays closed (another commune, a resident, the registrants' names)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from concerto import testing
from concerto.core.participation.overview import age_band, overview_for
from concerto.core.participation.services import contribution_record
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 17)  # a Wednesday


@pytest.fixture
def ledger(sceaux, montreuil, resident):
    """Sceaux: 3 web proposals and 2 paper ones in a space, 1 in another; Montreuil: 4 that must not count."""
    from concerto.components.proposals.models import Proposal

    space = SpaceFactory(organisation=sceaux, slug="budget-2026", title="Budget 2026")
    ideas = ComponentFactory(space=space, kind="proposals", title="Idées")
    other = ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="plu", title="PLU"), kind="proposals",
                             title="Avis PLU")
    far = ComponentFactory(space=SpaceFactory(organisation=montreuil, slug="m", title="M"), kind="proposals")
    resident.birth_year = 1990
    resident.save()
    when = timezone.make_aware(datetime.datetime(2026, 6, 10, 12))

    def add(component, channel, author=None, supports=0, residence=None):
        proposal = Proposal.objects.create(component=component, author=author or resident, title=f"Idée {channel}",
                                           text="<p>Un banc.</p>", support_count=supports)
        contribution_record(kind="proposals.proposal", target=proposal, component=component, author=author,
                            channel=channel, residence=residence, created_at=when)
        return proposal

    for supports in (5, 2, 0):
        add(ideas, "web", author=resident, supports=supports, residence=sceaux)
    add(ideas, "paper", residence=sceaux)
    add(ideas, "paper")
    add(other, "web", author=resident, residence=sceaux)
    for _ in range(4):
        add(far, "web", residence=montreuil)
    return {"space": space, "ideas": ideas}


def _chart(overview, title):
    return next(chart for chart in overview.charts if chart.title == title)


def test_the_figures_of_a_space_come_from_its_own_contributions(ledger, sceaux):
    with testing_french():
        overview = overview_for(organisation=sceaux, space=ledger["space"], today=TODAY)
        assert overview.total == 5 and overview.people == 1
        assert _chart(overview, "Contributions par canal").rows == [("Site web", 3), ("Papier", 2)]
        assert _chart(overview, "Contributions par composant").rows == [("Idées", 5)]
        assert _chart(overview, "Contributions par commune de résidence").rows == [("Sceaux", 4), ("Non indiquée", 1)]
        assert _chart(overview, "Contributions par tranche d’âge").rows == [("30 à 44 ans", 3)]
        assert _chart(overview, "Contributions par tranche d’âge").summary.endswith("\u00a0: 3 contributions.")
        weeks = _chart(overview, "Contributions par semaine").rows
        assert weeks[-2] == ("semaine du 8 juin 2026", 5) and sum(n for _label, n in weeks) == 5
        top = _chart(overview, "Propositions les plus soutenues").rows
        assert top == [("Idée web", 5), ("Idée web", 2)]


def test_the_figures_of_the_commune_add_its_other_spaces_and_never_another_commune(ledger, sceaux):
    overview = overview_for(organisation=sceaux, today=TODAY)
    assert overview.total == 6


def test_with_no_year_of_birth_given_the_age_chart_says_0_contribution_in_the_singular(sceaux):
    with testing_french():
        ages = _chart(overview_for(organisation=sceaux, today=TODAY), "Contributions par tranche d’âge")
        assert ages.rows == [] and ages.summary.endswith("\u00a0: 0 contribution.")  # French: « 0 contribution »


def test_age_bands():
    assert [age_band(age) for age in (16, 18, 36, 80)] == ["moins de 18 ans", "18 à 29 ans", "30 à 44 ans",
                                                           "75 ans et plus"]


class testing_french:
    def __enter__(self):
        from django.utils import translation

        self._previous = translation.get_language()
        translation.activate("fr")

    def __exit__(self, *exc):
        from django.utils import translation

        translation.activate(self._previous)


def _signed_in(user) -> Client:
    client = Client()
    testing.login_with_mfa(client, user)
    return client


def test_an_elected_official_reads_the_overview_with_its_tables_and_downloads_its_csv(ledger, elected):
    client = _signed_in(elected)
    page = client.get("/gestion/sceaux/budget-2026/")
    assert 'href="/gestion/sceaux/budget-2026/participation/"' in page.content.decode()
    response = client.get("/gestion/sceaux/budget-2026/participation/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") >= 4 and "<caption>Contributions par canal</caption>" in html
    assert "juin 2026" in html and "style=" not in html.split("<main", 1)[1]
    csv = client.get("/gestion/sceaux/budget-2026/participation/export.csv")
    assert csv.status_code == 200 and "Contributions par canal,Papier,2" in csv.content.decode("utf-8-sig")


def test_a_resident_and_another_commune_s_official_are_refused(ledger, resident, montreuil):
    resident_client = _signed_in(testing.persona("habitant2@example.org", mfa=True))
    assert resident_client.get("/gestion/sceaux/participation/").status_code == 403
    other = _signed_in(testing.persona("elu@montreuil.example.org", role="elected", organisation=montreuil))
    assert other.get("/gestion/sceaux/participation/").status_code == 403
    assert other.get("/gestion/sceaux/budget-2026/participation/export.csv").status_code == 403


def test_an_official_sees_registrants_only_when_the_commune_opens_personal_data(sceaux, elected, resident):
    from concerto.components.events.models import Event, Registration

    component = ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="rencontres"), kind="events")
    starts = timezone.now() + datetime.timedelta(days=3)
    event = Event.objects.create(component=component, title="Atelier", starts_at=starts, published=True,
                                 ends_at=starts + datetime.timedelta(hours=2), capacity=10)
    Registration.objects.create(event=event, user=resident, code="AB12CD34")
    client = _signed_in(elected)
    url = f"/gestion/sceaux/rencontres/rencontres/{component.pk}/{event.pk}/inscrits/"
    page = client.get(url).content.decode()
    assert "1 confirmé" in page and resident.email not in page and "données personnelles" in page
    refused = client.get(url + "export.csv")
    assert refused.status_code == 403
    assert "Votre rôle d’élu donne accès en lecture" in refused.content.decode()
    assert "pas aux données personnelles" in refused.content.decode()
    sceaux.elected_personal_data = True
    sceaux.save()
    elected.__dict__.pop("_concerto_role_cache", None)
    assert resident.email in client.get(url).content.decode()
    assert client.get(url + "export.csv").status_code == 200
    assert client.get("/gestion/sceaux/journal/").status_code == 200


def test_an_administrator_opens_personal_data_to_elected_officials_in_the_settings(sceaux, admin_sceaux, agent):
    client = _signed_in(admin_sceaux)
    form = client.get("/gestion/sceaux/reglages/").content.decode()
    assert "Les élus voient les données personnelles et le journal" in form
    response = client.post("/gestion/sceaux/reglages/", {"elected_personal_data": "on"})
    assert response.status_code == 302
    sceaux.refresh_from_db()
    assert sceaux.elected_personal_data is True
    assert _signed_in(agent).get("/gestion/sceaux/reglages/").status_code == 403
