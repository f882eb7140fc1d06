"""The demo's resource centre: the guides the issue lists, five templates of the Métropole, training sessions."""

import pytest
from django.core.management import call_command

from concerto.core.participation.models import Comment
from concerto.core.resources.models import Guide, NetworkQuestion, ProcessTemplate, SharedExample
from concerto.core.spaces.models import Space

pytestmark = pytest.mark.django_db


def test_the_demo_ships_five_metropole_templates_the_guides_and_training_sessions(client):
    call_command("load_demo", verbosity=0)
    templates = ProcessTemplate.objects.published()
    assert {template.kind for template in templates} >= {"budget", "planning", "reports", "debate", "walk"}
    assert {template.organisation.kind for template in templates} == {"metropole"}
    plu = templates.get(kind="planning")
    assert plu.source_space.slug == "plan-local-urbanisme" and plu.questions()
    assert {"budget-participatif", "concertation-plu", "debat-jeunes", "habitants-qpv", "obligations-legales"} <= set(
        Guide.objects.values_list("slug", flat=True))
    training = Space.objects.get(organisation__kind="metropole", slug="se-former")
    assert training.components.get(kind="events").events.filter(published=True).count() == 2
    body = client.get("/metropole/ressources/").content.decode()
    assert all(template.get_absolute_url() in body for template in templates)
    assert client.get(plu.get_absolute_url()).status_code == 200
    # The network of practice: Sceaux's budget shared as an example, a comment on a template, a question answered.
    example = SharedExample.objects.shared().get()
    assert example.space.slug == "budget-participatif-2026" and "38\u202f% des votes" in body
    assert Comment.objects.on(templates.get(kind="budget")).count() == 1
    assert Comment.objects.on(NetworkQuestion.objects.get()).count() == 1
    call_command("load_demo", verbosity=0)  # a second run changes nothing
    assert ProcessTemplate.objects.count() == templates.count()
    assert NetworkQuestion.objects.count() == 1 and Comment.objects.filter(
        target_type__model__in=["processtemplate", "networkquestion"]).count() == 2
