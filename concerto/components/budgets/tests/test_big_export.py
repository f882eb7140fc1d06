"""Above CONCERTO_EXPORT_JOB_ROWS public projects, the projects export is a background job whose file the
team downloads; below, it stays immediate."""

import csv
import html
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from concerto.components.budgets.tests.test_projects_setup import *  # noqa: F403 - the fixtures
from concerto.components.budgets.tests.test_projects_setup import submit
from concerto.core.jobs.models import Job

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
    client = staff_client(elected)  # an elected official reads the projects, so starts their export
    response = client.get(_url(three_projects, "export_csv"))
    job = Job.objects.get(kind="exports.export")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=["sceaux", job.pk])
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "Export des projets de «\u00a0Budget participatif\u00a0»" in page
    assert "L’export est prêt\u00a0: 3 lignes." in page
    download = reverse("jobs:download", args=["sceaux", job.pk])
    assert f'href="{download}">Télécharger projets-{three_projects.pk}.csv</a>' in page
    body = b"".join(client.get(download).streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["title"] for row in rows] == ["Un jardin partagé aux Blagis", "Des bancs à l'ombre",
                                              "'=HYPERLINK(\"http://x\",\"y\")"]  # a formula stays text
    assert author.email not in body
    # The XLSX too.
    client.get(_url(three_projects, "export_xlsx"))
    xlsx = Job.objects.filter(kind="exports.export").first()
    assert xlsx.file_name == f"projets-{three_projects.pk}.xlsx"
    sheet = load_workbook(io.BytesIO(b"".join(client.get(
        reverse("jobs:download", args=["sceaux", xlsx.pk])).streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(values_only=True)][:2] == ["title", rows[0]["title"]]
    # Another commune's agent neither sees the job nor downloads its file.
    client = staff_client(outsider)
    assert client.get(reverse("jobs:download", args=["montreuil", job.pk])).status_code == 404
    assert client.get(download).status_code == 403


def test_a_small_projects_export_stays_immediate(staff_client, elected, three_projects, settings):
    settings.CONCERTO_EXPORT_JOB_ROWS = 3
    response = staff_client(elected).get(_url(three_projects, "export_csv"))
    assert response.status_code == 200 and response.streaming and not Job.objects.exists()
