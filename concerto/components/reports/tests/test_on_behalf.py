"""A member of an association, signed in, reports a problem « au nom de » it (core/participation/behalf.py): the
report's page and the list say « Au nom de <association> » (never the person: a report names nobody); a resident
who is not a member and sends an actor's id anyway gets a French error, with the description kept and nothing
saved; the form without an account offers no such choice."""

import pytest
from django.urls import reverse

from concerto.components.reports.models import Report
from concerto.components.reports.tests.test_reporting import form_url, post_data
from concerto.core.participation.models import Contribution

pytestmark = pytest.mark.django_db

REFUSED = "Vous ne pouvez contribuer qu’au nom d’une organisation dont vous êtes membre"


def test_a_member_reports_on_behalf_of_the_association_and_it_shows(client, component, lighting, actor_member):
    client.force_login(actor_member.user)
    assert "Au nom de Les Amis du Parc" in client.get(form_url(component)).content.decode()
    response = client.post(form_url(component), post_data(lighting, email=None, on_behalf_of=actor_member.actor.pk))
    assert response.status_code == 302
    report = Report.objects.get()
    assert Contribution.objects.get(kind="reports.report", target_id=report.pk).on_behalf_of == actor_member.actor
    client.logout()
    assert "Au nom de Les Amis du Parc" in client.get(report.get_absolute_url()).content.decode()
    space = component.space
    listed = client.get(reverse("reports:list", args=[space.organisation.slug, space.slug, component.pk]))
    assert "Au nom de Les Amis du Parc" in listed.content.decode()
    assert "Camille Martin" not in listed.content.decode()


def test_a_non_member_forging_an_actor_id_gets_a_french_error_and_keeps_the_description(client, component, lighting,
                                                                                         author, foreign_actor):
    client.force_login(author)
    assert "Vous contribuez" not in client.get(form_url(component)).content.decode()
    response = client.post(form_url(component), post_data(lighting, email=None, on_behalf_of=foreign_actor.pk))
    assert response.status_code == 400
    page = response.content.decode()
    assert REFUSED in page and "Le lampadaire est éteint depuis une semaine." in page
    assert not Report.objects.exists()


def test_without_an_account_an_actor_id_is_refused(client, component, lighting, foreign_actor):
    response = client.post(form_url(component), post_data(lighting, on_behalf_of=foreign_actor.pk))
    assert response.status_code == 400 and REFUSED in response.content.decode()
    assert not Report.objects.exists()
