"""Above CONCERTO_EXPORT_JOB_ROWS proposals, the export is a background job whose file the team downloads."""

import csv
import html
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from concerto.components.proposals import services
from concerto.core.jobs.models import Job

pytestmark = pytest.mark.django_db


def _url(component, name):
    space = component.space
    return reverse(f"proposals_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk])


@pytest.fixture
def three_proposals(proposals, proposal, author):
    for title in ("Des bancs à l'ombre", "=HYPERLINK(\"http://x\",\"y\")"):
        services.proposal_create(author=author, component=proposals, title=title, text="x")
    return proposals


def test_a_big_export_runs_as_a_job_and_its_file_is_downloaded(staff_client, agent, outsider, three_proposals,
                                                               settings):
    settings.CONCERTO_EXPORT_JOB_ROWS = 2
    client = staff_client(agent)
    response = client.get(_url(three_proposals, "export_csv"))
    job = Job.objects.get(kind="exports.export")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=["sceaux", job.pk])
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "Export des propositions de «\u00a0Idées pour Sceaux\u00a0»" in page
    assert "L’export est prêt\u00a0: 3 lignes." in page
    download = reverse("jobs:download", args=["sceaux", job.pk])
    assert f'href="{download}">Télécharger propositions-{three_proposals.pk}.csv</a>' in page
    body = b"".join(client.get(download).streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["title"] for row in rows] == ["Planter des arbres fruitiers dans les écoles", "Des bancs à l'ombre",
                                              "'=HYPERLINK(\"http://x\",\"y\")"]  # a formula stays text
    assert "@" not in body
    # The XLSX too.
    client.get(_url(three_proposals, "export_xlsx"))
    xlsx = Job.objects.filter(kind="exports.export").first()
    sheet = load_workbook(io.BytesIO(b"".join(client.get(
        reverse("jobs:download", args=["sceaux", xlsx.pk])).streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(values_only=True)][:2] == ["title", rows[0]["title"]]
    # Another commune's agent neither sees the job nor downloads its file.
    client = staff_client(outsider)
    assert client.get(reverse("jobs:download", args=["montreuil", job.pk])).status_code == 404
    assert client.get(download).status_code == 403


def test_a_small_export_stays_immediate(staff_client, agent, three_proposals, settings):
    settings.CONCERTO_EXPORT_JOB_ROWS = 3
    response = staff_client(agent).get(_url(three_proposals, "export_csv"))
    assert response.status_code == 200 and response.streaming and not Job.objects.exists()
