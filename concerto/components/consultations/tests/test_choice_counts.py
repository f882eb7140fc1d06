"""The counts behind the weighted results, kept by the database as answers, responses and accounts change, equal a
recount from scratch, and the weighted figures read from them are the ones the former GROUP BY gave."""

import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from concerto.components.consultations import choice_counts, services
from concerto.components.consultations.models import ChoiceCount, Option, Response
from concerto.components.consultations.questionnaire import questionnaire_structure
from concerto.components.consultations.results import weighted_choice_results
from concerto.core.accounts import services as accounts
from concerto.core.insights.population import population_import
from concerto.testing import UserFactory

from .conftest import answers

pytestmark = pytest.mark.django_db(transaction=False)

POPULATION = (b"insee_code,pop_0_14,pop_15_29,pop_30_44,pop_45_59,pop_60_74,pop_75_plus\n"
              b"92071,100,200,300,200,100,100\n")


def figures(structure, *, recount: bool) -> list:
    """What the team sees of each weighted question, every figure unrounded."""
    return [(question.pk, result.respondents, result.effective_n, result.notes, result.warning, result.reason,
             [(row.label, row.count, row.percent, row.weighted_percent) for row in result.rows])
            for question, result in weighted_choice_results(structure, recount=recount)]


def random_answers(rng, q):
    transport = list(q.transport.options.order_by("pk"))
    activities = list(q.activities.options.order_by("pk"))
    chosen = rng.sample(activities, rng.randint(1, 2))  # at most 2 (the question says so)
    other = next((option for option in chosen if option.label == "Autre"), None)
    mode = rng.choice(transport)
    cycling = {"bike_days": 3.0} if mode.label == "À vélo" else {}  # asked only of those who cycle
    return answers(q, transport={"option": mode.pk, "other": "En roller" if mode.label == "Autre" else ""}, **cycling,
                   activities={"options": [option.pk for option in chosen], "other": "Lecture" if other else ""})


def test_kept_counts_equal_a_recount_after_answers_changes_withdrawals_and_erasures(
        consultation, questionnaire, agent, sceaux, montreuil):
    population_import(POPULATION, source="Test", year=2020)
    rng = random.Random(18)
    year = timezone.localdate().year
    structure = questionnaire_structure(consultation)
    people, paper = [], []
    for step in range(60):
        action = rng.choice(["answer", "answer", "answer", "again", "paper", "delete", "birth_year", "withdraw",
                             "erase"])
        if action == "answer" or not people:
            person = UserFactory(email=f"habitant{step}@example.org")
            accounts.demographics_record(user=person, birth_year=rng.choice([None, year - rng.randint(15, 90)]),
                                         residence=rng.choice([sceaux, montreuil, None]), gender="")
            services.response_submit(component=consultation, answers=random_answers(rng, questionnaire),
                                     respondent=person)
            people.append(person)
        elif action == "again":
            services.response_submit(component=consultation, answers=random_answers(rng, questionnaire),
                                     respondent=rng.choice(people))
        elif action == "paper":
            paper.append(services.paper_response_enter(
                actor=agent, component=consultation, answers=random_answers(rng, questionnaire),
                residence=rng.choice([sceaux, montreuil, None])))
        elif action == "delete" and paper:
            services.response_delete(actor=agent, response=paper.pop(rng.randrange(len(paper))))
        elif action == "birth_year":
            person = rng.choice(people)
            accounts.demographics_record(user=person, birth_year=year - rng.randint(15, 90),
                                         residence=person.residence, gender="")
        elif action == "withdraw":
            accounts.demographics_withdraw(user=rng.choice(people))
        elif action == "erase":
            accounts.account_delete(user=people.pop(rng.randrange(len(people))))
        if step % 10 == 9:
            assert choice_counts.stored() == choice_counts.recount(), f"after step {step} ({action})"
    # An option removed from the questionnaire takes its answers, by cascade, and its counts with them.
    Option.objects.filter(question=questionnaire.activities, label="Sport").delete()
    assert Response.objects.filter(status=Response.Status.SUBMITTED).count() >= 15
    assert choice_counts.stored() == choice_counts.recount()
    structure = questionnaire_structure(consultation)
    kept = figures(structure, recount=False)
    assert kept == figures(structure, recount=True)
    assert any(weighted is not None and weighted != percent
               for *_, rows in kept for _label, _count, percent, weighted in rows)


def test_a_changed_year_of_birth_moves_the_person_s_answers_at_once(consultation, questionnaire, resident):
    population_import(POPULATION, source="Test", year=2020)
    year = timezone.localdate().year
    accounts.demographics_record(user=resident, birth_year=year - 20, residence=None, gender="")
    services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    counts = ChoiceCount.objects.filter(question=questionnaire.transport, answers__gt=0)
    assert list(counts.values_list("birth_year", "answers", "people")) == [(year - 20, 1, 1)]
    accounts.demographics_record(user=resident, birth_year=year - 70, residence=None, gender="")
    assert list(counts.values_list("birth_year", "answers", "people")) == [(year - 70, 1, 1)]
    result = dict(weighted_choice_results(questionnaire_structure(consultation)))[questionnaire.transport]
    assert result.weights.n == 1 and result.effective_n == 1
    accounts.demographics_withdraw(user=resident)
    assert list(counts.values_list("birth_year", "answers", "people")) == [(0, 1, 1)]
    result = dict(weighted_choice_results(questionnaire_structure(consultation)))[questionnaire.transport]
    assert result.weights is None and result.respondents == 1


def test_a_draft_is_not_counted_until_sent(consultation, questionnaire, resident):
    services.response_draft_save(component=consultation, respondent=resident, data={})
    assert choice_counts.stored() == {}
    services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    assert choice_counts.stored() == choice_counts.recount() != {}


def test_the_command_rebuilds_and_checks_the_counts(consultation, questionnaire, resident, capsys):
    services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    expected = choice_counts.stored()
    ChoiceCount.objects.update(answers=99)
    with pytest.raises(SystemExit):
        call_command("choice_counts", "--check")
    assert "differ" in capsys.readouterr().err
    call_command("choice_counts", "--rebuild")
    assert choice_counts.stored() == expected
    call_command("choice_counts", "--check")
    assert "match" in capsys.readouterr().out
