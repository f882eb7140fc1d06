"""Components in a space's back-office: moved up and down, deleted only while unpublished and untouched by
residents; outsiders can do neither."""

import pytest
from django.urls import reverse

from concerto.core.audit.models import AuditEntry
from concerto.core.spaces.models import Component
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(sceaux):
    return SpaceFactory(organisation=sceaux, slug="jardin", title="Jardin")


def _url(name, component):
    return reverse(f"backoffice:{name}", args=[component.space.organisation.slug, component.space.slug,
                                               component.pk])


def _titles(space):
    return list(space.components.order_by("position", "pk").values_list("title", flat=True))


def test_an_agent_moves_a_component_up_and_down(staff_client, agent, space):
    first, second, third = (ComponentFactory(space=space, kind="news", title=t, position=1) for t in "ABC")
    client = staff_client(agent)
    assert client.post(_url("component_up", third)).status_code == 302
    assert _titles(space) == ["A", "C", "B"]
    client.post(_url("component_down", first))
    assert _titles(space) == ["C", "A", "B"]
    client.post(_url("component_up", third))  # already first: nothing moves
    assert _titles(space) == ["C", "A", "B"]
    page = client.get(reverse("backoffice:space", args=["sceaux", "jardin"])).content.decode()
    assert page.index("Monter") > page.index(">C<") and "Descendre" in page
    assert AuditEntry.objects.filter(action="component.moved").count() == 3
    assert client.get(_url("component_up", third)).status_code == 405  # a move is a POST


def test_an_unpublished_component_nobody_used_is_deleted_after_confirmation(staff_client, agent, space):
    draft = ComponentFactory(space=space, kind="news", title="Brouillon", published=False)
    client = staff_client(agent)
    page = client.get(_url("component_delete", draft)).content.decode()
    assert "Supprimer «\u00a0Brouillon\u00a0»\u00a0?" in page
    response = client.post(_url("component_delete", draft), follow=True)
    assert "«\u00a0Brouillon\u00a0» est supprimé." in response.content.decode()
    assert not Component.objects.filter(pk=draft.pk).exists()
    assert AuditEntry.objects.filter(action="component.deleted").exists()


def test_a_published_component_must_be_unpublished_first(staff_client, agent, space):
    live = ComponentFactory(space=space, kind="news", title="En ligne", published=True)
    response = staff_client(agent).post(_url("component_delete", live), follow=True)
    assert "Dépubliez le composant avant de le supprimer." in response.content.decode()
    assert Component.objects.filter(pk=live.pk).exists()


def test_a_component_residents_took_part_in_cannot_be_deleted(staff_client, agent, resident, space):
    from concerto.components.news.services import post_create
    from concerto.core.participation.services import comment_create

    news = ComponentFactory(space=space, kind="news", title="Actualités", published=True)
    post = post_create(author=agent, component=news, title="Atelier", body="Samedi.", publish=True)
    comment_create(author=resident, target=post, body="J'y serai.")
    news.published = False
    news.save()
    client = staff_client(agent)
    response = client.get(_url("component_delete", news), follow=True)
    assert "Des habitants ont déjà participé à ce composant" in response.content.decode()
    response = client.post(_url("component_delete", news), follow=True)
    assert "(1 contribution)" in response.content.decode()
    assert Component.objects.filter(pk=news.pk).exists()


def test_registrations_to_an_event_count_as_taking_part(staff_client, agent, resident, space):
    from django.utils import timezone

    from concerto.components.events import services as events
    from concerto.components.events.models import Event

    component = ComponentFactory(space=space, kind="events", title="Rencontres", published=True)
    start = timezone.now() + timezone.timedelta(days=3)
    event = Event.objects.create(component=component, title="Réunion", starts_at=start,
                                 ends_at=start + timezone.timedelta(hours=2), published=True, capacity=10)
    events.registration_create(user=resident, event=event)
    component.published = False
    component.save()
    staff_client(agent).post(_url("component_delete", component))
    assert Component.objects.filter(pk=component.pk).exists()


def test_an_outsider_can_neither_move_nor_delete(staff_client, outsider, space):
    draft = ComponentFactory(space=space, kind="news", title="Brouillon", published=False)
    client = staff_client(outsider)
    assert client.post(_url("component_delete", draft)).status_code in (403, 404)
    assert client.post(_url("component_up", draft)).status_code in (403, 404)
    assert Component.objects.filter(pk=draft.pk).exists()
