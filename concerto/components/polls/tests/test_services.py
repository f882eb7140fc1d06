"""poll_answer and the back-office services: the rules every channel shares."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from concerto import testing
from concerto.components.polls import services
from concerto.components.polls.eligibility import AlreadyAnswered, NotInTarget, PollClosed, PollRefused
from concerto.components.polls.models import Answer, Poll
from concerto.components.polls.tests.conftest import choice_ids
from concerto.core.accounts.verification import VerificationRequired
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Contribution

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[2.28, 48.77], [2.30, 48.77], [2.30, 48.78], [2.28, 48.78],
                                              [2.28, 48.77]]]}


def test_an_answer_is_one_ledger_contribution_with_its_channel(poll, resident):
    answer = services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"), channel="chatbot")
    contribution = Contribution.objects.get()
    assert (contribution.kind, contribution.channel, contribution.author, contribution.target_id) == (
        "polls.answer", "chatbot", resident, answer.pk)
    results = services.poll_results(poll)
    assert results["total"] == 1 and [row["count"] for row in results["choices"]] == [1, 0, 0]


def test_a_second_answer_from_the_same_account_is_refused_and_the_database_forbids_it(poll, resident):
    services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"))
    with pytest.raises(AlreadyAnswered, match="déjà répondu"):
        services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Non"))
    with pytest.raises(IntegrityError):
        Answer.objects.create(poll=poll, user=resident, channel="web")


def test_a_closed_poll_refuses_answers(poll, resident, agent):
    services.poll_close(actor=agent, poll=poll)
    with pytest.raises(PollClosed, match="fermé"):
        services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"))
    assert AuditEntry.objects.filter(action="polls.poll_closed").exists()


def test_a_poll_past_its_closing_date_refuses_answers(poll, resident):
    Poll.objects.filter(pk=poll.pk).update(opens_at=timezone.now() - datetime.timedelta(days=2),
                                           closes_at=timezone.now() - datetime.timedelta(minutes=1))
    poll.refresh_from_db()
    with pytest.raises(PollClosed):
        services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"))


@pytest.mark.parametrize(("choices", "message"), [
    ([], "Choisissez une réponse."),
    ([999_999], "ne fait pas partie du sondage"),
    (["x"], "ne fait pas partie du sondage"),
])
def test_bad_choices_are_refused_in_french(poll, resident, choices, message):
    with pytest.raises(ValidationError) as error:
        services.poll_answer(poll=poll, user=resident, choices=choices)
    assert message in error.value.message_dict["choices"][0]
    assert not Answer.objects.exists()


def test_a_single_choice_poll_takes_one_answer_only(poll, resident):
    with pytest.raises(ValidationError, match="une seule réponse"):
        services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui", "Non"))


def test_an_empty_or_oversized_why_is_refused_with_a_clear_french_error(why_poll, resident):
    chosen = choice_ids(why_poll, "Bancs", "Jeux")
    with pytest.raises(ValidationError) as error:
        services.poll_answer(poll=why_poll, user=resident, choices=chosen, why="   ")
    assert error.value.message_dict["why"] == ["Dites pourquoi en quelques mots."]
    with pytest.raises(ValidationError) as error:
        services.poll_answer(poll=why_poll, user=resident, choices=chosen, why="x" * 1001)
    assert " ".join(error.value.message_dict["why"][0].replace("\u202f", " ").replace("\xa0", " ").split()) == (
        "Votre « Pourquoi ? » fait 1 001 caractères ; 1 000 au plus.")
    answer = services.poll_answer(poll=why_poll, user=resident, choices=chosen, why="  Pour les enfants. ")
    assert answer.why == "Pour les enfants." and answer.choices.count() == 2


def test_a_why_sent_to_a_poll_that_does_not_ask_it_is_refused(poll, resident):
    with pytest.raises(ValidationError, match="ne demande pas pourquoi"):
        services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"), why="Parce que.")


def test_results_at_the_close_stay_hidden_after_answering(why_poll, resident, agent):
    assert not why_poll.results_shown(answered=True)
    services.poll_close(actor=agent, poll=why_poll)
    assert why_poll.results_shown(answered=False)


def test_a_resident_of_another_commune_cannot_answer_a_commune_poll(poll, montreuil):
    other = testing.persona("voisin@example.org", residence=montreuil)
    with pytest.raises(NotInTarget, match="Montreuil"):
        services.poll_answer(poll=poll, user=other, choices=choice_ids(poll, "Oui"))


def test_someone_without_a_commune_is_asked_to_declare_one(poll):
    nobody = testing.persona("sans-commune@example.org")
    with pytest.raises(NotInTarget, match="quelle commune"):
        services.poll_answer(poll=poll, user=nobody, choices=choice_ids(poll, "Oui"))


def test_a_verified_commune_counts_before_the_declared_one(poll, montreuil, sceaux):
    person = testing.persona("demenage@example.org", residence=montreuil)
    testing.verified_resident(person, sceaux)
    services.poll_answer(poll=poll, user=person, choices=choice_ids(poll, "Oui"))


def test_an_anonymous_visitor_is_asked_to_sign_in(poll):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PollRefused, match="Connectez-vous"):
        services.poll_answer(poll=poll, user=AnonymousUser(), choices=choice_ids(poll, "Oui"))


def test_a_poll_for_verified_residents_counts_one_answer_per_verified_person(polls, agent, resident):
    poll = services.poll_create(actor=agent, component=polls, question="Vérifiés ?", choices=["Oui", "Non"],
                                verified_only=True, publish=True)
    with pytest.raises(VerificationRequired, match="résidents vérifiés"):
        services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"))
    verification = testing.verified_resident(resident)
    services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"))
    assert Answer.objects.get().identity_hash == verification.identity_hash


def test_a_metropole_poll_reaches_the_residents_of_every_commune(metropole, resident, agent):
    space = testing.SpaceFactory(organisation=metropole, slug="metropole-sondages")
    component = testing.ComponentFactory(space=space, kind="polls", published=True)
    poll = services.poll_create(actor=None, component=component, question="Métropole ?", choices=["Oui", "Non"],
                                publish=True)
    assert list(Poll.objects.open_for(resident)) == [poll]
    services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Non"))
    assert list(Poll.objects.open_for(resident)) == []


def test_a_territory_poll_targeted_at_one_commune_leaves_the_others_out(metropole, sceaux, montreuil, resident):
    space = testing.SpaceFactory(organisation=metropole, slug="metropole-cible")
    component = testing.ComponentFactory(space=space, kind="polls", published=True)
    poll = services.poll_create(actor=None, component=component, question="Montreuil ?", choices=["Oui", "Non"],
                                target_organisation=montreuil, publish=True)
    assert list(Poll.objects.open_for(resident)) == []
    with pytest.raises(NotInTarget):
        services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"))


def test_a_quartier_poll_takes_only_addresses_inside_the_polygon(polls, agent, resident):
    poll = services.poll_create(actor=agent, component=polls, question="Quartier ?", choices=["Oui", "Non"],
                                target_area=SQUARE, target_area_name="Les Blagis", publish=True)
    assert "Les Blagis" in poll.target_label
    with pytest.raises(ValidationError, match="donnez votre adresse"):
        services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"))
    with pytest.raises(ValidationError, match="en dehors du quartier"):
        services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"), point=(48.80, 2.35))
    services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"), point=(48.775, 2.29))


def test_a_poll_needs_two_to_eight_answers_a_question_and_a_valid_quartier(polls, agent, montreuil):
    with pytest.raises(ValidationError) as error:
        services.poll_create(actor=agent, component=polls, question="  ", choices=["Seule"],
                             target_area={"type": "Point", "coordinates": [2.3, 48.7]},
                             target_organisation=montreuil)
    errors = error.value.message_dict
    assert errors["question"] == ["Écrivez la question."]
    assert errors["choices"] == ["Donnez entre 2 et 8 réponses."]
    assert "Sceaux" in errors["target_organisation"][0]
    assert "target_area" in errors
    with pytest.raises(ValidationError, match="entre 2 et 8"):
        services.poll_create(actor=agent, component=polls, question="Trop ?", choices=[str(n) for n in range(9)])
    assert not Poll.objects.exists()


def test_answers_cannot_change_once_someone_answered(poll, agent, resident):
    services.poll_update(actor=agent, poll=poll, choices=["Oui", "Non", "Peut-être"])
    services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"))
    with pytest.raises(ValidationError, match="ne peuvent plus changer"):
        services.poll_update(actor=agent, poll=poll, choices=["Oui", "Non"])
    services.poll_update(actor=agent, poll=poll, question="Faut-il piétonniser la rue Houdan ?")
    assert AuditEntry.objects.filter(action="polls.poll_updated").count() == 2


def test_publishing_tells_the_followers_after_commit(polls, agent, resident, django_capture_on_commit_callbacks):
    from concerto.core.participation.models import Notification
    from concerto.core.participation.services import follow_add

    follow_add(user=resident, target=polls.space)
    poll = services.poll_create(actor=agent, component=polls, question="Nouveau ?", choices=["Oui", "Non"])
    services.poll_publish(actor=agent, poll=poll)
    services.poll_publish(actor=agent, poll=poll)
    notice = Notification.objects.get(recipient=resident)
    assert notice.verb == "polls.published" and notice.url == poll.get_absolute_url()
    assert AuditEntry.objects.filter(action="polls.poll_published").count() == 1


def test_an_erased_account_leaves_its_answer_counted_but_anonymous(poll, resident):
    from concerto.core import registry

    services.poll_answer(poll=poll, user=resident, choices=choice_ids(poll, "Oui"))
    manifest = registry.get("polls")
    assert manifest.personal_data(resident)["poll_answers"][0]["choices"] == ["Oui"]
    manifest.erase_personal_data(resident)
    assert services.poll_results(poll)["total"] == 1 and not Answer.objects.filter(user=resident).exists()


def test_a_published_poll_is_in_the_feed_of_the_followers_of_its_space_and_of_the_commune_it_targets(
        polls, agent, resident, montreuil):
    from concerto.core.participation import feed
    from concerto.core.participation.services import follow_add
    from concerto.testing import UserFactory

    follow_add(user=resident, target=polls.space)
    neighbour = UserFactory(email="voisin-montreuil@example.org")
    follow_add(user=neighbour, target=montreuil)
    poll = services.poll_create(actor=agent, component=polls, question="Un marché le dimanche ?",
                                choices=["Oui", "Non"])
    assert feed.feed_page(user=resident).entries == []  # a draft is in nobody's feed
    services.poll_publish(actor=agent, poll=poll)
    [entry] = feed.feed_page(user=resident).entries
    assert entry.kind == "polls.published" and entry.url == poll.get_absolute_url()
    assert "Un marché le dimanche" in entry.title
    assert feed.feed_page(user=neighbour).entries == []  # not targeted at Montreuil
