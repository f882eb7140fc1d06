"""Fixtures and helpers for the projects tests (imported by name by test_projects*.py and
test_backoffice_projects*.py; this module holds no test)."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from concerto.components.budgets import services
from concerto.components.budgets.models import Ballot, Budget
from concerto.testing import ComponentFactory

# Imported by name by the projects tests.
from concerto.testing import configure as configure
from concerto.testing import image_bytes as image_bytes

# The Parc de Sceaux, and the Hôtel de Ville of Montreuil (another commune).
SCEAUX_POINT = (48.7745, 2.2990)
MONTREUIL_POINT = (48.8617, 2.4432)


@pytest.fixture
def component(space, step):
    component = ComponentFactory(space=space, kind="budgets", title="Budget participatif")
    return configure(component, step=step, submissions_open=True)


@pytest.fixture
def budget(component, agent):
    return services.budget_create(actor=agent, component=component, name="Budget de la commune", amount=100_000)


@pytest.fixture
def category(component, agent):
    return services.category_create(actor=agent, component=component, name="Nature en ville")


def submit(component, author, **values):
    data = {"title": "Un jardin partagé aux Blagis", "text": "<p>Des bacs, des outils et un composteur.</p>",
            "estimated_cost": 20_000}
    data.update(values)
    return services.project_create(author=author, component=component, **data)


@pytest.fixture
def project(component, budget, author):
    return submit(component, author)


def review(project, actor, *, eligibility="eligible", cost=18_000, **values):
    return services.project_evaluate(actor=actor, project=project, eligibility=eligibility, cost_estimate=cost,
                                     **values)


def cast_ballot(budget: Budget, voter, *projects) -> Ballot:
    """A ballot row as the voting part writes it (enough for the rules that look whether one exists)."""
    ballot = Ballot.objects.create(budget=budget, voter=voter, voter_key=f"user:{voter.pk}")
    for project in projects:
        ballot.choices.create(project=project)
    return ballot


def image_upload(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(), content_type="image/png")


def fake_image(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<?php echo 'not an image'; ?>", content_type="image/png")
