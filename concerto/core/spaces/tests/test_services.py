"""The rules of spaces, steps and components, as every channel (back-office, API, scripts) meets them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from concerto.core.audit.models import AuditEntry
from concerto.core.spaces import services
from concerto.core.spaces.models import Space
from concerto.core.spaces.tests.images import image_upload, text_upload
from concerto.testing import SpaceFactory, StepFactory, commune

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 3, 1), datetime.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def create(agent, organisation, **fields):
    values = {"title": "Budget participatif 2026", "description": "Proposez vos projets.",
              "start_date": START, "end_date": END}
    values.update(fields)
    return services.space_create(actor=agent, organisation=organisation, **values)


def test_space_is_created_as_a_draft_with_a_slug_made_from_its_title(agent, sceaux):
    space = create(agent, sceaux, title="Budget participatif 2026 de Sceaux")
    assert space.slug == "budget-participatif-2026-de-sceaux"
    assert space.status == Space.Status.DRAFT
    assert AuditEntry.objects.filter(action="space.created", organisation=sceaux, actor=agent).exists()


def test_a_second_space_with_the_same_title_gets_a_free_slug(agent, sceaux):
    create(agent, sceaux, title="Concertation PLU")
    assert create(agent, sceaux, title="Concertation PLU").slug == "concertation-plu-2"


def test_a_slug_already_used_in_the_organisation_is_refused_in_french(agent, sceaux):
    create(agent, sceaux, slug="plu")
    with pytest.raises(ValidationError) as error:
        create(agent, sceaux, slug="plu")
    assert "déjà" in error.value.message_dict["slug"][0]


def test_two_communes_may_use_the_same_slug(agent, outsider, sceaux, montreuil):
    create(agent, sceaux, slug="plu")
    assert create(outsider, montreuil, slug="plu").slug == "plu"


@pytest.mark.parametrize("slug", ["actualites", "espaces", "equipe", "journal", "moderation", "reglages"])
def test_reserved_words_cannot_be_a_space_slug(agent, sceaux, slug):
    with pytest.raises(ValidationError) as error:
        create(agent, sceaux, slug=slug)
    assert "slug" in error.value.message_dict
    assert not Space.objects.filter(slug=slug).exists()


def test_a_title_that_is_a_reserved_word_gets_another_slug(agent, sceaux):
    assert create(agent, sceaux, title="Actualités").slug == "actualites-2"


def test_end_date_before_start_date_is_refused(agent, sceaux):
    with pytest.raises(ValidationError) as error:
        create(agent, sceaux, start_date=END, end_date=START)
    assert "date de fin" in error.value.message_dict["end_date"][0]
    assert not Space.objects.exists()


def test_a_commune_space_can_only_concern_the_commune_itself(agent, sceaux):
    with pytest.raises(ValidationError) as error:
        create(agent, sceaux, scope=[commune("antony")])
    assert "scope" in error.value.message_dict
    assert list(create(agent, sceaux, scope=[sceaux]).scope.all()) == [sceaux]


def test_a_territory_space_can_concern_its_communes_but_not_others(metropole_admin):
    territory = commune("sceaux").parent
    space = create(metropole_admin, territory, scope=[commune("sceaux"), commune("antony")])
    assert set(space.scope.values_list("slug", flat=True)) == {"sceaux", "antony"}
    with pytest.raises(ValidationError):
        create(metropole_admin, territory, scope=[commune("montreuil")])


def test_an_image_that_is_not_an_image_is_refused(agent, sceaux):
    with pytest.raises(ValidationError) as error:
        create(agent, sceaux, image=text_upload(), image_alt="Le parc")
    assert "image" in error.value.message_dict


def test_a_real_image_is_stored(agent, sceaux, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    space = create(agent, sceaux, image=image_upload(), image_alt="Le parc de Sceaux")
    assert space.image.name.startswith("spaces/")


def test_publishing_needs_a_description(agent, sceaux):
    space = create(agent, sceaux, description="")
    with pytest.raises(ValidationError):
        services.space_publish(actor=agent, space=space)
    space.refresh_from_db()
    assert space.status == Space.Status.DRAFT


def test_publish_unpublish_and_archive_are_audited(agent, sceaux):
    space = create(agent, sceaux)
    services.space_publish(actor=agent, space=space)
    assert Space.objects.published().filter(pk=space.pk).exists()
    services.space_unpublish(actor=agent, space=space)
    services.space_archive(actor=agent, space=space)
    actions = list(AuditEntry.objects.filter(organisation=sceaux).values_list("action", flat=True))
    assert {"space.published", "space.unpublished", "space.archived"} <= set(actions)


def test_a_published_space_cannot_lose_its_description(agent, sceaux):
    space = create(agent, sceaux)
    services.space_publish(actor=agent, space=space)
    with pytest.raises(ValidationError):
        services.space_update(actor=agent, space=space, title=space.title, slug=space.slug, description="")
    space.refresh_from_db()
    assert space.description == "Proposez vos projets."


def test_update_records_the_changed_fields(agent, sceaux):
    space = create(agent, sceaux)
    services.space_update(actor=agent, space=space, title="Nouveau titre", slug=space.slug,
                          description=space.description, start_date=START, end_date=END)
    entry = AuditEntry.objects.get(action="space.updated")
    assert entry.data["fields"] == ["title"]


def test_step_dates_must_be_in_order(agent, sceaux):
    space = SpaceFactory(organisation=sceaux)
    with pytest.raises(ValidationError) as error:
        services.step_create(actor=agent, space=space, title="Vote", start_date=END, end_date=START)
    assert "end_date" in error.value.message_dict
    assert not space.steps.exists()


def test_steps_are_added_in_order_and_deleting_one_drops_its_component_settings(agent, sceaux):
    space = SpaceFactory(organisation=sceaux)
    first = services.step_create(actor=agent, space=space, title="Dépôt", start_date=START, end_date=START)
    second = services.step_create(actor=agent, space=space, title="Vote", start_date=END, end_date=END)
    assert [s.title for s in space.steps.all()] == ["Dépôt", "Vote"]
    component = services.component_add(actor=agent, space=space, kind="news", title="Actualités")
    services.component_update_settings(actor=agent, component=component, settings={},
                                       step_settings={str(first.pk): {}, str(second.pk): {}})
    services.step_delete(actor=agent, step=first)
    component.refresh_from_db()
    assert list(component.step_settings) == [str(second.pk)]
    assert AuditEntry.objects.filter(action="step.deleted", organisation=sceaux).exists()


def test_an_unknown_component_kind_is_refused(agent, sceaux):
    space = SpaceFactory(organisation=sceaux)
    with pytest.raises(ValidationError):
        services.component_add(actor=agent, space=space, kind="teleportation", title="X")


def test_component_settings_are_validated_against_the_manifest(agent, sceaux):
    space = SpaceFactory(organisation=sceaux)
    step = StepFactory(space=space)
    component = services.component_add(actor=agent, space=space, kind="news", title="Actualités")
    with pytest.raises(ValidationError) as error:
        services.component_update_settings(actor=agent, component=component,
                                           settings={"posts_per_page": "beaucoup"}, step_settings={})
    assert "nombre entier" in error.value.message_dict["posts_per_page"][0]
    services.component_update_settings(
        actor=agent, component=component, settings={"posts_per_page": "5", "comments_enabled": ""},
        step_settings={str(step.pk): {"comments_open": "0"}},
    )
    component.refresh_from_db()
    assert component.setting("posts_per_page") == 5
    assert component.setting("comments_enabled") is False
    assert component.step_setting("comments_open", step) is False


def test_step_settings_of_another_space_are_refused(agent, sceaux):
    component = services.component_add(actor=agent, space=SpaceFactory(organisation=sceaux), kind="news",
                                       title="Actualités")
    foreign_step = StepFactory()
    with pytest.raises(ValidationError):
        services.component_update_settings(actor=agent, component=component, settings={},
                                           step_settings={str(foreign_step.pk): {}})


def test_component_publish_and_unpublish_are_audited(agent, sceaux):
    component = services.component_add(actor=agent, space=SpaceFactory(organisation=sceaux), kind="news",
                                       title="Actualités")
    services.component_publish(actor=agent, component=component)
    assert component.published
    services.component_unpublish(actor=agent, component=component)
    assert not component.published
    actions = set(AuditEntry.objects.filter(organisation=sceaux).values_list("action", flat=True))
    assert {"component.added", "component.published", "component.unpublished"} <= actions
