"""The questionnaire results as open data: aggregates of public results only, small counts left out (and the one
that would give them back), never a written answer."""

import csv
import io

import pytest
from django.test import Client

from concerto.components.consultations import building, services
from concerto.components.consultations.models import Question

from .conftest import make_consultation

pytestmark = pytest.mark.django_db
Kind = Question.Kind


@pytest.fixture(autouse=True)
def _opendata_files(settings, tmp_path):
    settings.CONCERTO_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def answered(consultation, agent):
    """13 paper responses: « À pied » 7, « À vélo » 5, « En voiture » 1; a scale answered by 3 only; a text."""
    section = building.section_create(actor=agent, component=consultation, title="Vos habitudes")
    transport = building.question_create(actor=agent, section=section, kind=Kind.SINGLE, label="Comment venez-vous ?",
                                         options=["À pied", "À vélo", "En voiture"])
    scale = building.question_create(actor=agent, section=section, kind=Kind.SCALE, label="Satisfait ?",
                                      scale=Question.Scale.ONE_TO_FIVE)
    ideas = building.question_create(actor=agent, section=section, kind=Kind.LONG_TEXT, label="Vos idées")
    options = {option.label: option.pk for option in transport.options.all()}
    for number, label in enumerate(["À pied"] * 7 + ["À vélo"] * 5 + ["En voiture"]):
        values = {transport.pk: {"option": options[label], "other": ""}, ideas.pk: "Un secret de Zoé"}
        if number < 3:
            values[scale.pk] = 4
        services.paper_response_enter(actor=agent, component=consultation, answers=values, channel="paper")
    return {"transport": transport, "scale": scale, "ideas": ideas}


def _rows() -> tuple[str, list[dict]]:
    response = Client().get("/donnees/sceaux/resultats-questionnaires.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    return body, list(csv.DictReader(io.StringIO(body)))


def test_the_results_leave_out_small_counts_and_the_count_that_gives_them_back(answered):
    body, rows = _rows()
    transport = {row["answer"]: row for row in rows if row["question"] == "Comment venez-vous ?"}
    assert transport["À pied"]["count"] == "7" and transport["À pied"]["answered"] == "13"
    assert transport["À pied"]["suppressed"] == "False"
    # 1 is under 5; with 13 answered, « À vélo » would give it back: both are left out.
    for label in ("En voiture", "À vélo"):
        row = transport[label]
        assert row["count"] == row["percent"] == "" and row["suppressed"] == "True"
    scale = [row for row in rows if row["question"] == "Satisfait ?"]
    assert scale and all(row["answered"] == row["count"] == row["value"] == "" for row in scale)
    assert all(row["suppressed"] == "True" for row in scale)
    assert "Un secret de Zoé" not in body  # no written answer, only how many wrote one
    written = next(row for row in rows if row["question"] == "Vos idées")
    assert written["answer"] == "written answers" and written["count"] == "13"
    assert {row["commune_insee"] for row in rows} == {"92071"}


def test_results_shown_only_to_the_team_are_not_open_data(space, step, agent):
    hidden = make_consultation(space, results="staff", title="Résultats internes")
    section = building.section_create(actor=agent, component=hidden, title="Section")
    question = building.question_create(actor=agent, section=section, kind=Kind.SINGLE, label="Oui ou non ?",
                                        options=["Oui", "Non"])
    yes = question.options.get(label="Oui").pk
    for _number in range(6):
        services.paper_response_enter(actor=agent, component=hidden, channel="paper",
                                      answers={question.pk: {"option": yes, "other": ""}})
    _body, rows = _rows()
    assert rows == []
