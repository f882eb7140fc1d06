"""CSV and XLSX exports: one row per response, one column per question, no personal data."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from concerto.components.consultations import services

from .conftest import answers, make_consultation, option

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_responses(consultation, questionnaire, resident, agent, montreuil):
    q = questionnaire
    services.response_submit(component=consultation, respondent=resident, answers=answers(
        q, transport={"option": option(q.transport, "À vélo").pk, "other": ""}, bike_days=2.5,
        activities={"options": [option(q.activities, "Sport").pk, option(q.activities, "Autre").pk],
                    "other": "=HYPERLINK(\"http://evil\")"},
        priorities=[option(q.priorities, "Bancs").pk, option(q.priorities, "Ombre").pk,
                    option(q.priorities, "Toilettes").pk],
        ideas="Des arbres ; et de l'ombre", name_it="=1+1", place=(48.7766, 2.2895)))
    services.paper_response_enter(actor=agent, component=consultation, channel="paper", residence=montreuil,
                                  answered_on=date(2026, 3, 2), answers=answers(q, satisfaction=1))
    return q


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # the BOM Excel needs
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_has_one_row_per_response_and_one_column_per_question(staff_client, agent, consultation,
                                                                      two_responses, resident):
    q = two_responses
    response = staff_client(agent).get(consultation.get_backoffice_url() + "export.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="parc-votre-avis-reponses-' in response["Content-Disposition"]
    rows = read_csv(response)
    header = rows[0]
    assert header[:4] == ["Réponse", "Date", "Canal", "Commune de résidence"]
    assert header[4:] == [question.label for question in vars(q).values()]
    assert len(rows) == 3
    web, paper = (dict(zip(header, row, strict=True)) for row in rows[1:])
    assert web["Canal"] == "Site web" and web["Commune de résidence"] == "Sceaux"
    assert web["Comment venez-vous au parc ?"] == "À vélo"
    assert web["Combien de jours par semaine venez-vous à vélo ?"] == "2.5"
    assert web["Que faites-vous au parc ?"] == "Sport ; Autre : =HYPERLINK(\"http://evil\")"
    assert web["Un nom pour la nouvelle aire de jeux ?"] == "'=1+1"  # a spreadsheet must not run it
    assert web["Classez ces priorités"] == "Bancs > Ombre > Toilettes"
    assert web["Êtes-vous satisfait du parc ?"] == "4"
    assert web["Date de votre dernière visite"] == "2026-05-01"
    assert web["Vos idées"] == "Des arbres ; et de l'ombre"
    assert web["Où manque-t-il un banc ?"] == "48.776600 2.289500"
    assert paper["Canal"] == "Papier" and paper["Commune de résidence"] == "Montreuil"
    assert paper["Date"] == "2026-03-02" and paper["Êtes-vous satisfait du parc ?"] == "1"
    assert paper["Combien de jours par semaine venez-vous à vélo ?"] == ""
    everything = "\n".join(";".join(row) for row in rows)
    assert resident.email not in everything and resident.display_name not in everything
    assert agent.email not in everything


def test_the_csv_follows_the_filters(staff_client, agent, consultation, two_responses):
    response = staff_client(agent).get(consultation.get_backoffice_url() + "export.csv", {"canal": "paper"})
    rows = read_csv(response)
    assert len(rows) == 2 and rows[1][2] == "Papier"


def test_the_xlsx_holds_the_same_rows(staff_client, agent, consultation, two_responses):
    response = staff_client(agent).get(consultation.get_backoffice_url() + "export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert rows[0][:4] == ["Réponse", "Date", "Canal", "Commune de résidence"]
    assert len(rows) == 3
    satisfaction = rows[0].index("Êtes-vous satisfait du parc ?")
    assert rows[1][satisfaction] == 4 and rows[2][satisfaction] == 1  # numbers, not text
    assert rows[1][rows[0].index("Classez ces priorités")] == "Bancs > Ombre > Toilettes"


def test_public_results_can_be_downloaded_as_open_data(client, consultation, two_responses):
    response = client.get(consultation.get_absolute_url() + "donnees/reponses.csv")
    assert response.status_code == 200
    assert len(read_csv(response)) == 3
    assert client.get(consultation.get_absolute_url() + "donnees/reponses.xlsx").status_code == 200


def test_staff_only_results_cannot_be_downloaded_by_the_public(client, space, step, agent):
    component = make_consultation(space, results="staff")
    response = client.get(component.get_absolute_url() + "donnees/reponses.csv")
    assert response.status_code == 403
    assert "ne peuvent pas être téléchargés" in response.content.decode()


def test_staff_exports_need_the_back_office(client, resident, staff_client, outsider, consultation, two_responses):
    url = consultation.get_backoffice_url() + "export.csv"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(resident)
    response = client.get(url)
    assert response.status_code == 403 or response.url.startswith("/compte/2fa/")
    assert staff_client(outsider).get(url).status_code == 403


def test_the_manifest_export_gives_aggregated_results_only(consultation, two_responses):
    from concerto.core import registry

    rows = registry.get("consultations").exports["results"](consultation)
    transport = [row for row in rows if row["question"] == "Comment venez-vous au parc ?"]
    assert {row["answer"]: row["count"] for row in transport} == {"À pied": 1, "À vélo": 1, "En voiture": 0,
                                                                   "Autre": 0}
    texts = [row for row in rows if row["question"] == "Vos idées"]
    assert texts == [{"question_id": two_responses.ideas.pk, "question": "Vos idées", "type": "long_text",
                      "answered": 1, "answer": "written answers", "count": 1, "percent": None,
                      "average_rank": None}]
    assert all("Des arbres" not in str(row) for row in rows)  # no free text in open data


def test_a_big_export_is_written_by_a_job_with_the_same_rows_and_filters(staff_client, agent, consultation,
                                                                         two_responses, settings):
    from django.urls import reverse

    from concerto.core.jobs.models import Job

    client = staff_client(agent)
    immediate = read_csv(client.get(consultation.get_backoffice_url() + "export.csv"))
    settings.CONCERTO_EXPORT_JOB_ROWS = 1
    response = client.get(consultation.get_backoffice_url() + "export.csv")
    job = Job.objects.get(kind="exports.export")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=["sceaux", job.pk])
    assert "L’export est prêt\u00a0: 2 lignes." in client.get(response["Location"]).content.decode()
    assert read_csv(client.get(reverse("jobs:download", args=["sceaux", job.pk]))) == immediate
    # The filters travel to the worker: the paper response alone.
    settings.CONCERTO_EXPORT_JOB_ROWS = 0
    filtered = client.get(consultation.get_backoffice_url() + "export.csv", {"canal": "paper"})
    job = Job.objects.filter(kind="exports.export").first()
    assert filtered.status_code == 302 and job.args["rows_args"]["query"] == {"canal": "paper"}
    rows = read_csv(client.get(reverse("jobs:download", args=["sceaux", job.pk])))
    assert len(rows) == 2 and rows[1][2] == "Papier"
