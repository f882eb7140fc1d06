"""Above CONCERTO_EXPORT_JOB_ROWS proposals, the export is a background job whose file the team downloads."""

import pytest
from django.urls import reverse

from concerto.components.proposals import services
from concerto.core.jobs.models import Job
from concerto.testing import export_job_followed

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
    body = export_job_followed(
        staff_client, agent, outsider,
        csv_url=_url(three_proposals, "export_csv"), xlsx_url=_url(three_proposals, "export_xlsx"),
        heading="Export des propositions de «\u00a0Idées pour Sceaux\u00a0»",
        file_stem=f"propositions-{three_proposals.pk}",
        titles=["Planter des arbres fruitiers dans les écoles", "Des bancs à l'ombre", "'=HYPERLINK(\"http://x\",\"y\")"])
    assert "@" not in body  # no email address in the file


def test_a_small_export_stays_immediate(staff_client, agent, three_proposals, settings):
    settings.CONCERTO_EXPORT_JOB_ROWS = 3
    response = staff_client(agent).get(_url(three_proposals, "export_csv"))
    assert response.status_code == 200 and response.streaming and not Job.objects.exists()
