"""Migrations 0008 and 0009 move the budgets' own follow-up of winning projects into the kernel's actions."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from concerto.components.budgets import services
from concerto.components.budgets.models import Project, Result
from concerto.components.budgets.tests.test_projects_setup import *  # noqa: F403 - the fixtures
from concerto.components.budgets.tests.test_projects_setup import image_bytes, submit
from concerto.core.accountability.models import Action, Decision

BEFORE = [("budgets", "0007_ballot_intake_batch"), ("accountability", "0002_action_link")]
AFTER = [("budgets", "0009_remove_follow_up_fields")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_follow_up_into_actions_and_back(component, budget, author, agent, client, settings,
                                                                  tmp_path):
    settings.MEDIA_ROOT = tmp_path
    winner = submit(component, author, title="Des bancs au parc")
    cancelled = submit(component, author, title="Une piste de skate")
    loser = submit(component, author, title="Un projet battu")
    Project.objects.filter(pk__in=[winner.pk, cancelled.pk]).update(selected=True, final_cost=30_000)
    Project.objects.filter(pk=winner.pk).update(latitude=48.7745, longitude=2.2990, address="Parc de Sceaux")
    published = timezone.now() - datetime.timedelta(days=60)
    Result.objects.create(budget=budget, rule=budget.rule, published_at=published)
    (tmp_path / "budgets" / "photos").mkdir(parents=True)
    (tmp_path / "budgets" / "photos" / "chantier.png").write_bytes(image_bytes())
    (tmp_path / "budgets" / "photos" / "depot.png").write_bytes(image_bytes())

    old = _migrate(BEFORE)
    OldProject = old.get_model("budgets", "Project")
    ProgressUpdate = old.get_model("budgets", "ProgressUpdate")
    ProjectPhoto = old.get_model("budgets", "ProjectPhoto")
    start, end = datetime.date(2026, 3, 1), datetime.date(2026, 9, 30)
    OldProject.objects.filter(pk=winner.pk).update(implementation="works", progress=40, works_start=start,
                                                   works_end=end)
    OldProject.objects.filter(pk=cancelled.pk).update(implementation="cancelled")
    first = ProgressUpdate.objects.create(project_id=winner.pk, author_id=agent.pk, implementation="study",
                                          progress=10, text="<p>Les services étudient l&#x27;emplacement.</p>")
    second = ProgressUpdate.objects.create(project_id=winner.pk, author_id=agent.pk, implementation="works",
                                           progress=40, text="<p>Les <strong>travaux</strong> commencent.</p>")
    ProgressUpdate.objects.filter(pk=first.pk).update(created_at=published + datetime.timedelta(days=5))
    ProgressUpdate.objects.create(project_id=cancelled.pk, implementation="cancelled",
                                  text="Le terrain n’est pas constructible.")
    ProjectPhoto.objects.create(project_id=winner.pk, update=second, image="budgets/photos/chantier.png",
                                alt="Le chantier")
    ProjectPhoto.objects.create(project_id=winner.pk, image="budgets/photos/depot.png", alt="Photo du dépôt")

    _migrate(AFTER)

    decision = Decision.objects.get()
    assert decision.title == "Réalisation des projets lauréats — Budget de la commune"
    assert (decision.space, decision.decided_on, decision.body) == (
        component.space, published.date(), "municipal_council")
    assert sorted(decision.links.values_list("target_id", flat=True)) == [winner.pk, cancelled.pk]
    assert services.project_action(loser) is None
    action = services.project_action(winner)
    assert (action.stage, action.progress, action.planned_start, action.planned_end) == ("works", 40, start, end)
    assert (action.budget_planned, action.latitude, action.address) == (30_000, 48.7745, "Parc de Sceaux")
    assert [(u.text, u.stage, u.progress) for u in action.updates.all()] == [
        ("Les travaux commencent.", "works", 40), ("Les services étudient l'emplacement.", "studies", 10)]
    assert action.updates.last().created_at == published + datetime.timedelta(days=5)
    photo = action.photos.get()
    assert (photo.image.name, photo.alt, photo.image.size) == ("budgets/photos/chantier.png", "Le chantier",
                                                               len(image_bytes()))
    assert list(winner.photos.values_list("alt", flat=True)) == ["Photo du dépôt"]  # the submission's stays
    gone = services.project_action(cancelled)
    assert (gone.stage, gone.abandon_reason) == ("abandoned", "Le terrain n’est pas constructible.")

    # The public page of the project shows what was moved.
    html = client.get(winner.get_absolute_url()).content.decode()
    assert "Les travaux commencent." in html and 'alt="Le chantier"' in html

    # Back: the old fields and rows come back, the actions and the decision go.
    old = _migrate(BEFORE)
    restored = old.get_model("budgets", "Project").objects.get(pk=winner.pk)
    assert (restored.implementation, restored.progress, restored.works_end) == ("works", 40, end)
    assert old.get_model("budgets", "ProgressUpdate").objects.filter(project_id=winner.pk).count() == 2
    assert old.get_model("budgets", "ProjectPhoto").objects.filter(update__isnull=False).count() == 1
    assert not Action.objects.exists() and not Decision.objects.exists()
    _migrate(AFTER)
