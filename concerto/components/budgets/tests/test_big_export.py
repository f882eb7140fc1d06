"""Above CONCERTO_EXPORT_JOB_ROWS public projects, the projects export is a background job whose file the
team downloads; below, it stays immediate."""

import pytest
from django.urls import reverse

from concerto.components.budgets.tests.test_projects_setup import *  # noqa: F403 - the fixtures
from concerto.components.budgets.tests.test_projects_setup import submit
from concerto.core.jobs.models import Job
from concerto.testing import export_job_followed

pytestmark = pytest.mark.django_db


def _url(component, name):
    space = component.space
    return reverse(f"budgets_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk])


@pytest.fixture
def three_projects(component, project, author):
    for title in ("Des bancs à l'ombre", "=HYPERLINK(\"http://x\",\"y\")"):
        submit(component, author, title=title)
    return component


def test_a_big_projects_export_runs_as_a_job_and_its_file_is_downloaded(staff_client, elected, outsider, author,
                                                                        three_projects, settings):
    settings.CONCERTO_EXPORT_JOB_ROWS = 2
    body = export_job_followed(
        staff_client, elected, outsider,  # an elected official reads the projects, so exports them
        csv_url=_url(three_projects, "export_csv"), xlsx_url=_url(three_projects, "export_xlsx"),
        heading="Export des projets de «\u00a0Budget participatif\u00a0»", file_stem=f"projets-{three_projects.pk}",
        titles=["Un jardin partagé aux Blagis", "Des bancs à l'ombre", "'=HYPERLINK(\"http://x\",\"y\")"])
    assert author.email not in body


def test_a_small_projects_export_stays_immediate(staff_client, elected, three_projects, settings):
    settings.CONCERTO_EXPORT_JOB_ROWS = 3
    response = staff_client(elected).get(_url(three_projects, "export_csv"))
    assert response.status_code == 200 and response.streaming and not Job.objects.exists()
