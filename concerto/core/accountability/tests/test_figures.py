"""The officials' figures, on a commune where they can be counted by hand: four proposals and a report made on known
days, three answered by public decisions (one twice), one supported (a support is not a contribution a decision
answers), an archived decision that does not count, one late action of two."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.components.proposals import services as proposal_services
from concerto.core.accountability import services
from concerto.core.accountability.figures import figures_compute
from concerto.core.accountability.models import Decision, DecisionLink
from concerto.core.participation.models import Contribution
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory

pytestmark = pytest.mark.django_db

MADE_ON = datetime.date(2026, 2, 1)


@pytest.fixture
def counted(sceaux, space, step, author, resident, agent):
    ideas = ComponentFactory(space=space, kind="proposals", title="Idées")
    proposals = [proposal_services.proposal_create(author=author, component=ideas, title=f"Idée {n}", text="Texte.")
                 for n in range(4)]
    proposal_services.support_add(user=resident, proposal=proposals[0])
    assert Contribution.objects.filter(kind="proposals.support").exists()
    made = timezone.make_aware(datetime.datetime.combine(MADE_ON, datetime.time(10)))
    Contribution.objects.filter(kind="proposals.proposal").update(created_at=made)
    other = SpaceFactory(organisation=sceaux, slug="plu", title="Concertation PLU")
    StepFactory(space=other)

    def decide(title, day, space=space, **kwargs):
        return services.decision_create(actor=agent, organisation=sceaux, space=space, title=title,
                                        decided_on=MADE_ON + datetime.timedelta(days=day),
                                        body=Decision.Body.MUNICIPAL_COUNCIL, **kwargs)

    # Proposal 0 answered after 10 days (and again after 40: the first answer counts), 1 after 20, 2 after 60.
    first, second, third = decide("Première", 10), decide("Deuxième", 20), decide("Troisième", 60)
    later = decide("Plus tard", 40)
    decide("Sur le PLU", 5, space=other)
    for decision, proposal in ((first, proposals[0]), (later, proposals[0]), (second, proposals[1]),
                               (third, proposals[2])):
        services.decision_link_add(actor=agent, decision=decision, target=proposal,
                                   status=DecisionLink.Status.ADOPTED, explanation="Retenu.")
    archived = decide("Retirée", 1)
    services.decision_link_add(actor=agent, decision=archived, target=proposals[3],
                               status=DecisionLink.Status.ADOPTED, explanation="Retenu.")
    services.decision_delete(actor=agent, decision=archived)
    today = timezone.localdate()
    services.action_create(actor=agent, decision=first, title="En retard", stage="works",
                           planned_end=today - datetime.timedelta(days=1))
    services.action_create(actor=agent, decision=first, title="Faite", stage="done",
                           planned_end=today - datetime.timedelta(days=1))
    return {"space": space, "other": other}


def test_the_figures_of_a_commune_counted_by_hand(counted, sceaux):
    figures = figures_compute(organisation=sceaux)
    assert figures.contributions == 4  # the four proposals; a support is no contribution a decision answers
    assert figures.answered == 3 and figures.answered_percent == 75.0
    assert figures.median_days == 20.0  # 10, 20 and 60 days
    assert figures.decisions == 5  # the archived one is not public
    assert (figures.actions, figures.late) == (2, 1)
    in_plu = figures_compute(organisation=sceaux, space=counted["other"])
    assert (in_plu.contributions, in_plu.answered, in_plu.median_days, in_plu.decisions) == (0, 0, None, 1)


def test_an_even_count_has_the_mean_of_the_two_middle_delays(counted, sceaux, agent):
    from concerto.components.proposals.models import Proposal

    fourth = Proposal.objects.get(title="Idée 3")
    decision = services.decision_create(actor=agent, organisation=sceaux, title="Quatrième",
                                        decided_on=MADE_ON + datetime.timedelta(days=31),
                                        body=Decision.Body.MAYOR)
    services.decision_link_add(actor=agent, decision=decision, target=fourth, status=DecisionLink.Status.PARTLY,
                               explanation="En partie.")
    assert figures_compute(organisation=sceaux).median_days == 25.5  # 10, 20, 31, 60


def test_elected_officials_read_the_figures_and_download_them(counted, staff_client, elected, outsider):
    client = staff_client(elected)
    page = client.get(reverse("accountability_backoffice:figures", args=["sceaux"])).content.decode()
    assert "75,0\u00a0%" in page and "Concertation PLU" in page
    assert "Chiffres des décisions" in page and "20,0</strong> jours pour répondre (médiane)" in page
    response = client.get(reverse("accountability_backoffice:figures_csv", args=["sceaux"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    whole = rows[0]
    assert whole["space"] == "" and whole["contributions"] == "4" and whole["answered"] == "3"
    assert whole["median_days_to_answer"] == "20.0" and whole["actions_late"] == "1" and whole["decisions"] == "5"
    assert {row["space"] for row in rows[1:]} == {"Budget participatif 2026 de Sceaux", "Concertation PLU"}
    outsider_client = staff_client(outsider)
    assert outsider_client.get(reverse("accountability_backoffice:figures", args=["sceaux"])).status_code in (403, 404)


def test_the_figures_are_a_few_aggregate_queries_whatever_the_contributions(counted, sceaux,
                                                                             django_assert_max_num_queries):
    figures_compute(organisation=sceaux)  # the content types of the linkable items, read once
    with django_assert_max_num_queries(5):
        figures = figures_compute(organisation=sceaux)
    assert figures.answered == 3
