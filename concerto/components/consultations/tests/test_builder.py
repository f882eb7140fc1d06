"""Agents build the questionnaire in the back-office: sections, questions of every kind, order, conditions,
and what can no longer change once responses are counted."""

import pytest
from django.core.exceptions import ValidationError

from concerto.components.consultations import building, services
from concerto.components.consultations.models import Option, Question, Questionnaire, Section
from concerto.components.consultations.questionnaire import questionnaire_locked
from concerto.core.audit.models import AuditEntry

from .conftest import answers, option

pytestmark = pytest.mark.django_db
Kind = Question.Kind


def bo(component, suffix=""):
    return component.get_backoffice_url() + suffix


# ---------------------------------------------------------------- services


def test_rich_text_is_sanitised_when_saved(consultation, agent):
    questionnaire = building.questionnaire_intro_update(
        actor=agent, component=consultation,
        intro='<p onclick="x()">Bonjour <script>alert(1)</script><a href="javascript:alert(1)">lien</a></p>')
    assert "script" not in questionnaire.intro and "onclick" not in questionnaire.intro
    assert "javascript:" not in questionnaire.intro
    section = building.section_create(actor=agent, component=consultation, title="Partie",
                                      description="<img src=x onerror=alert(1)><strong>Gras</strong>")
    assert section.description == "<strong>Gras</strong>"


def test_each_builder_action_writes_an_audit_entry(consultation, agent):
    section = building.section_create(actor=agent, component=consultation, title="Partie")
    question = building.question_create(actor=agent, section=section, kind=Kind.SHORT_TEXT, label="Votre nom ?")
    building.question_update(actor=agent, question=question, label="Votre prénom ?")
    building.question_delete(actor=agent, question=question)
    building.section_delete(actor=agent, section=section)
    actions = set(AuditEntry.objects.filter(actor=agent).values_list("action", flat=True))
    assert {"consultations.section_created", "consultations.question_created", "consultations.question_updated",
            "consultations.question_deleted", "consultations.section_deleted"} <= actions


@pytest.mark.parametrize("kind, extra, field, message", [
    (Kind.SINGLE, {"options": ["Oui"]}, "options", "au moins deux réponses"),
    (Kind.RANKING, {"options": []}, "options", "au moins deux réponses"),
    (Kind.MULTIPLE, {"options": ["A", "B"], "max_choices": 3}, "max_choices", "ne peut pas dépasser"),
    (Kind.NUMBER, {"min_value": 10, "max_value": 1}, "max_value", "ne doit pas être inférieur"),
    (Kind.SCALE, {"scale": "1-7"}, "scale", "Choisissez une échelle"),
    (Kind.SINGLE, {"options": ["x" * 301, "B"]}, "options", "300 caractères au plus"),
    (Kind.SINGLE, {"options": [str(n) for n in range(51)]}, "options", "50 réponses au plus"),
])
def test_a_question_that_breaks_the_rules_of_its_kind_is_refused_in_french(consultation, agent, kind, extra, field,
                                                                            message):
    section = building.section_create(actor=agent, component=consultation, title="Partie")
    with pytest.raises(ValidationError) as error:
        building.question_create(actor=agent, section=section, kind=kind, label="Question ?", **extra)
    assert message in " ".join(error.value.message_dict[field])
    assert not Question.objects.exists()


def test_a_condition_must_be_an_answer_to_a_choice_question_of_the_same_questionnaire(consultation, agent, space):
    from .conftest import make_consultation

    section = building.section_create(actor=agent, component=consultation, title="Partie")
    other = make_consultation(space, title="Autre")
    other_section = building.section_create(actor=agent, component=other, title="Ailleurs")
    foreign = building.question_create(actor=agent, section=other_section, kind=Kind.SINGLE, label="?",
                                       options=["Oui", "Non"])
    with pytest.raises(ValidationError) as error:
        building.question_create(actor=agent, section=section, kind=Kind.SHORT_TEXT, label="Pourquoi ?",
                                 condition_option=foreign.options.first())
    assert "question à choix" in error.value.message_dict["condition_option"][0]


def test_sections_questions_and_options_move_up_and_down(consultation, agent, questionnaire):
    first, second = Section.objects.filter(component=consultation)
    assert building.section_move(actor=agent, section=second, direction="up")
    assert list(Section.objects.filter(component=consultation)) == [second, first]
    assert not building.section_move(actor=agent, section=second, direction="up")  # already first
    q = questionnaire
    building.question_move(actor=agent, question=q.activities, direction="up")
    order = list(Question.objects.filter(section=first).order_by("position").values_list("pk", flat=True))
    assert order == [q.transport.pk, q.activities.pk, q.bike_days.pk, q.visit.pk]
    car = option(q.transport, "En voiture")
    building.option_move(actor=agent, option=car, direction="up")
    assert list(q.transport.options.values_list("label", flat=True)) == ["À pied", "En voiture", "À vélo", "Autre"]
    # Each move is in the audit log, with its direction; the refused one is not.
    moves = AuditEntry.objects.filter(action__endswith="_moved").order_by("pk")
    assert [(entry.action, entry.target_id, entry.data["direction"]) for entry in moves] == [
        ("consultations.section_moved", str(second.pk), "up"),
        ("consultations.question_moved", str(q.activities.pk), "up"),
        ("consultations.option_moved", str(car.pk), "up")]


def test_once_responses_are_counted_nothing_can_be_removed_but_wording_can_change(consultation, agent, resident,
                                                                                  questionnaire):
    q = questionnaire
    services.response_submit(component=consultation, answers=answers(q), respondent=resident)
    assert questionnaire_locked(consultation)
    with pytest.raises(ValidationError):
        building.question_delete(actor=agent, question=q.ideas)
    with pytest.raises(ValidationError) as error:
        building.question_update(actor=agent, question=q.transport, remove_options=[option(q.transport, "À pied").pk])
    assert "ne peuvent plus être retirées" in error.value.message_dict["options"][0]
    with pytest.raises(ValidationError):
        building.question_update(actor=agent, question=q.transport, other_option=False)
    with pytest.raises(ValidationError):
        building.question_update(actor=agent, question=q.satisfaction, scale="0-10")
    with pytest.raises(ValidationError):
        building.section_delete(actor=agent, section=q.transport.section)
    building.question_update(actor=agent, question=q.transport, label="Par quel moyen venez-vous ?",
                             option_labels={option(q.transport, "À pied").pk: "À pied ou en fauteuil"},
                             new_options=["En trottinette"])
    labels = list(q.transport.options.values_list("label", "is_other"))
    assert labels == [("À pied ou en fauteuil", False), ("À vélo", False), ("En voiture", False),
                      ("En trottinette", False), ("Autre", True)]
    assert Question.objects.get(pk=q.transport.pk).label == "Par quel moyen venez-vous ?"


def test_before_any_response_options_and_questions_can_be_removed(consultation, agent, questionnaire):
    q = questionnaire
    car = option(q.transport, "En voiture")
    building.question_update(actor=agent, question=q.transport, remove_options=[car.pk], other_option=False)
    assert list(q.transport.options.values_list("label", flat=True)) == ["À pied", "À vélo"]
    building.question_delete(actor=agent, question=q.ideas)
    assert not Question.objects.filter(pk=q.ideas.pk).exists()


def test_removing_the_answer_a_condition_uses_shows_the_question_always(consultation, agent, questionnaire):
    q = questionnaire
    building.question_update(actor=agent, question=q.transport, remove_options=[option(q.transport, "À vélo").pk])
    assert Question.objects.get(pk=q.bike_days.pk).condition_option is None


# ---------------------------------------------------------------- pages


def test_the_builder_page_shows_the_questionnaire_with_its_actions(staff_client, agent, consultation, questionnaire):
    html = staff_client(agent).get(bo(consultation)).content.decode()
    assert "Partie 1\u00a0: Vos habitudes" in html and "Partie 2\u00a0: Vos souhaits" in html
    assert "Comment venez-vous au parc ?" in html
    assert "Affichée seulement si «\u00a0À vélo\u00a0» est choisi" in html
    assert "Monter" in html and "Descendre" in html
    assert "Ajouter une question" in html and "Ajouter une partie" in html
    assert "Saisir une réponse recueillie sur papier ou en réunion" in html
    assert "Des réponses ont été reçues" not in html


def test_an_agent_builds_a_questionnaire_through_the_pages(staff_client, agent, consultation):
    client = staff_client(agent)
    assert client.post(bo(consultation, "introduction/"), {"intro": "Bienvenue.\n\nMerci."}).status_code == 302
    assert Questionnaire.objects.get().intro == "<p>Bienvenue.</p>\n\n<p>Merci.</p>"
    response = client.post(bo(consultation, "sections/nouvelle/"), {"title": "Mobilités", "description": ""})
    assert response.status_code == 302
    section = Section.objects.get()
    chooser = client.get(bo(consultation, f"sections/{section.pk}/questions/nouvelle/"))
    assert "Choix multiple" in chooser.content.decode() and "Continuer" in chooser.content.decode()
    url = bo(consultation, f"sections/{section.pk}/questions/nouvelle/?type=multiple")
    form = client.get(url).content.decode()
    assert "Réponses proposées" in form and "Nombre maximal de réponses à cocher" in form
    assert "Échelle" not in form
    response = client.post(url, {"label": "Quels transports ?", "options": "Bus\nTram\n\nRER", "max_choices": "2",
                                 "other_option": "on", "required": "on", "condition_option": ""})
    assert response.status_code == 302, response.content.decode()
    question = Question.objects.get()
    assert question.kind == Kind.MULTIPLE and question.required and question.max_choices == 2
    assert list(question.options.values_list("label", flat=True)) == ["Bus", "Tram", "RER", "Autre"]
    # A scale question shown only to those who take the tram.
    tram = Option.objects.get(label="Tram")
    url = bo(consultation, f"sections/{section.pk}/questions/nouvelle/?type=scale")
    response = client.post(url, {"label": "Le tram vous convient-il ?", "scale": "0-10",
                                 "scale_min_label": "Non", "scale_max_label": "Oui",
                                 "condition_option": str(tram.pk)})
    assert response.status_code == 302
    assert Question.objects.get(kind=Kind.SCALE).condition_option == tram


def test_an_agent_edits_a_question_renames_removes_and_adds_answers(staff_client, agent, consultation,
                                                                   questionnaire):
    q = questionnaire
    client = staff_client(agent)
    url = bo(consultation, f"questions/{q.transport.pk}/modifier/")
    page = client.get(url).content.decode()
    assert "Retirer la réponse «\u00a0En voiture\u00a0»" in page
    assert "D’autres questions ne s’affichent que pour certaines réponses à celle-ci" in page
    data = {"label": "Comment venez-vous ?", "help_text": "", "required": "on", "section": q.transport.section_id,
            "condition_option": "", "new_options": "En bus", "other_option": "on"}
    for opt in q.transport.options.exclude(is_other=True):
        data[f"option_{opt.pk}"] = opt.label
    data[f"option_{option(q.transport, 'À pied').pk}"] = "À pied"
    data[f"remove_{option(q.transport, 'En voiture').pk}"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    assert list(q.transport.options.values_list("label", flat=True)) == ["À pied", "À vélo", "En bus", "Autre"]


def test_an_empty_question_is_a_form_error_in_french_and_the_text_is_kept(staff_client, agent, consultation,
                                                                          questionnaire):
    url = bo(consultation, f"sections/{questionnaire.transport.section_id}/questions/nouvelle/?type=single")
    response = staff_client(agent).post(url, {"label": "", "options": "Oui\nPeut-être"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Écrivez la question." in html and "Peut-être" in html
    assert Question.objects.count() == len(vars(questionnaire))


def test_an_unknown_type_of_question_shows_the_chooser_with_an_error(staff_client, agent, consultation,
                                                                     questionnaire):
    url = bo(consultation, f"sections/{questionnaire.transport.section_id}/questions/nouvelle/?type=essai")
    response = staff_client(agent).get(url)
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_moving_from_the_builder_page(staff_client, agent, consultation, questionnaire):
    q = questionnaire
    client = staff_client(agent)
    response = client.post(bo(consultation, f"questions/{q.activities.pk}/deplacer/"), {"direction": "down"})
    assert response.status_code == 302
    siblings = Question.objects.filter(section=q.activities.section).order_by("position")
    order = list(siblings.values_list("pk", flat=True))
    assert order.index(q.activities.pk) == 3
    assert client.get(bo(consultation, f"questions/{q.activities.pk}/deplacer/")).status_code == 405


def test_the_page_explains_why_questions_can_no_longer_be_removed(staff_client, agent, resident, consultation,
                                                                  questionnaire):
    services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    client = staff_client(agent)
    html = client.get(bo(consultation)).content.decode()
    assert "Des réponses ont été reçues." in html
    assert "les réponses déjà données perdraient leur sens" in html
    assert f"questions/{questionnaire.ideas.pk}/supprimer/" not in html
    page = client.get(bo(consultation, f"questions/{questionnaire.ideas.pk}/supprimer/")).content.decode()
    assert "la suppression n’est plus possible" in page
    response = client.post(bo(consultation, f"questions/{questionnaire.ideas.pk}/supprimer/"))
    assert response.status_code == 409
    assert Question.objects.filter(pk=questionnaire.ideas.pk).exists()
    edit = client.get(bo(consultation, f"questions/{questionnaire.transport.pk}/modifier/")).content.decode()
    assert "Retirer la réponse" not in edit
    assert "Vous pouvez encore corriger les libellés" in edit


def test_deleting_a_question_asks_first(staff_client, agent, consultation, questionnaire):
    client = staff_client(agent)
    url = bo(consultation, f"questions/{questionnaire.ideas.pk}/supprimer/")
    assert "Supprimer «\u00a0Vos idées\u00a0»\u00a0?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Question.objects.filter(pk=questionnaire.ideas.pk).exists()
