"""The participation a print kit brought: a resident scans the poster, then contributes in the same browser; the
agents read the figures on the kits page; a mark too old, replaced or absent brings nothing."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerto.components.proposals import services as proposal_services
from concerto.core.attribution import SOURCE_SESSION_KEY
from concerto.core.mobilisation import links
from concerto.core.mobilisation.models import PrintKit
from concerto.core.participation.models import Contribution
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db


def _kit(staff_client, agent, space, title="Votez pour vos projets !"):
    response = staff_client(agent).post(reverse("mobilisation_backoffice:kit_create", args=["sceaux"]), {
        "target": f"space:{space.pk}", "format": "poster_a4", "title": title, "text": "", "when": ""})
    assert response.status_code == 302
    staff_client(agent).logout()
    return PrintKit.objects.get(title=title)


@pytest.fixture
def kit(staff_client, agent, space):
    return _kit(staff_client, agent, space)


def _comment(browser, proposal, body="Très bonne idée, je soutiens."):
    target = (ContentType.objects.get_for_model(proposal).pk, proposal.pk)
    response = browser.post(reverse("participation:comment", args=target), {"body": body})
    assert response.status_code == 302, response.content.decode()[:2000]


def _age_mark(browser, days):
    session = browser.session
    mark = session[SOURCE_SESSION_KEY]
    mark["day"] = (timezone.localdate() - datetime.timedelta(days=days)).isoformat()
    session[SOURCE_SESSION_KEY] = mark
    session.save()


def test_a_resident_who_scanned_the_poster_then_comments_is_counted_for_the_kit(kit, proposal, resident, client):
    client.force_login(resident)
    client.get(f"/l/{kit.link.code}")
    _comment(client, proposal)
    row = Contribution.objects.get(kind="participation.comment")
    assert (row.source_kind, row.source_id) == ("kit", kit.pk)
    assert links.contributions_brought("kit", kit.pk) == 1 and links.people_brought("kit", kit.pk) == 1
    _comment(client, proposal, "Et dans les crèches aussi.")
    assert links.contributions_brought("kit", kit.pk) == 2 and links.people_brought("kit", kit.pk) == 1


def test_a_proposal_posted_through_the_page_after_a_scan_is_counted(kit, proposals, proposal, resident, client):
    client.force_login(resident)
    client.get(f"/l/{kit.link.code}")
    response = client.post(reverse("proposals:create", args=["sceaux", proposals.space.slug, proposals.pk]), {
        "title": "Un composteur au square", "text": "Pour les épluchures du quartier.",
        "category": proposal.category_id})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert links.contributions_brought("kit", kit.pk) == 1
    assert Contribution.objects.get(kind="proposals.proposal", author=resident).source_id == kit.pk


def test_a_mark_as_old_as_the_window_brings_nothing(kit, proposal, resident, client, settings):
    settings.CONCERTO_ATTRIBUTION_DAYS = 7
    client.force_login(resident)
    client.get(f"/l/{kit.link.code}")
    _age_mark(client, 6)
    _comment(client, proposal, "Six jours après.")
    _age_mark(client, 7)
    _comment(client, proposal, "Sept jours après.")
    assert links.contributions_brought("kit", kit.pk) == 1
    assert Contribution.objects.filter(kind="participation.comment", source_kind="").count() == 1


def test_the_last_link_followed_replaces_the_first(staff_client, agent, space, proposal, resident, client):
    first = _kit(staff_client, agent, space, "Premier poster")
    second = _kit(staff_client, agent, space, "Second poster")
    client.force_login(resident)
    client.get(f"/l/{first.link.code}")
    client.get(f"/l/{second.link.code}")
    _comment(client, proposal)
    assert links.contributions_brought("kit", first.pk) == 0
    assert links.contributions_brought("kit", second.pk) == 1


def test_without_a_mark_or_with_a_broken_one_nothing_is_attributed(kit, proposal, resident, client):
    client.force_login(resident)
    _comment(client, proposal)
    session = client.session
    session[SOURCE_SESSION_KEY] = {"kind": "kit", "id": "x", "day": "hier"}
    session.save()
    _comment(client, proposal, "Encore.")
    assert not Contribution.objects.exclude(source_kind="").exists()
    assert links.contributions_brought("kit", kit.pk) == 0 and links.people_brought("kit", kit.pk) == 0


def test_contributions_outside_a_request_carry_no_mark(kit, proposals, proposal):
    assert Contribution.objects.get(kind="proposals.proposal").source_kind == ""


def test_people_count_distinct_accounts(kit, proposal, resident, author, client):
    for person in (resident, author):
        browser = Client()
        browser.force_login(person)
        browser.get(f"/l/{kit.link.code}")
        _comment(browser, proposal)
        _comment(browser, proposal, "Une deuxième fois.")
    assert links.contributions_brought("kit", kit.pk) == 4 and links.people_brought("kit", kit.pk) == 2
    Contribution.objects.filter(author=author).update(author=None)  # as an erasure leaves them
    assert links.people_brought("kit", kit.pk) == 3


def test_the_kits_page_shows_the_participation_brought_and_how_it_is_counted(
        kit, proposal, resident, client, staff_client, agent, elected):
    client.force_login(resident)
    client.get(f"/l/{kit.link.code}")
    _comment(client, proposal)
    client.logout()
    for reader in (agent, elected):
        page = staff_client(reader).get(reverse("mobilisation_backoffice:kits", args=["sceaux"])).content.decode()
        assert "Participations apportées" in page
        assert "1 contribution" in page and "par 1 personne" in page
        assert "moins de 7 jours" in page and "un autre appareil" in page


def test_another_communes_agent_reaches_no_figure(kit, proposal, resident, client, staff_client, outsider):
    client.force_login(resident)
    client.get(f"/l/{kit.link.code}")
    _comment(client, proposal, "Un commentaire à compter pour Sceaux.")
    client.logout()
    browser = staff_client(outsider)
    own = browser.get(reverse("mobilisation_backoffice:kits", args=["montreuil"])).content.decode()
    assert kit.title not in own and "1 contribution" not in own
    assert browser.get(reverse("mobilisation_backoffice:kits", args=["sceaux"])).status_code in (403, 404)


def test_a_contribution_typed_from_paper_by_an_agent_who_scanned_is_not_attributed(
        kit, proposals, proposal, agent, staff_client):
    browser = staff_client(agent)
    browser.get(f"/l/{kit.link.code}")
    category = proposal.category
    # A service called during the agent's request with the paper channel: no mark taken.
    from concerto.core import attribution

    token = attribution._session.set(browser.session)
    try:
        proposal_services.proposal_create(author=UserFactory(), component=proposals, title="Sur papier",
                                          text="Écrit au stand.", category=category, channel="paper")
    finally:
        attribution._session.reset(token)
    assert links.contributions_brought("kit", kit.pk) == 0
