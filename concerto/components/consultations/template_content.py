"""What a process template keeps of a consultation (core/resources): its introduction and its questionnaire
(sections, questions, answers to choose from, the conditions between them), never the responses."""

from concerto.components.consultations import building
from concerto.components.consultations.models import Question, Questionnaire, Section

QUESTION_FIELDS = ("kind", "label", "help_text", "required", "max_choices", "scale", "scale_min_label",
                   "scale_max_label", "min_value", "max_value")


def template_export(component) -> dict:
    questionnaire = Questionnaire.objects.filter(component=component).first()
    questions = (Question.objects.filter(component=component).select_related("condition_option__question")
                 .prefetch_related("options").order_by("section__position", "position", "pk"))
    order = {question.pk: number for number, question in enumerate(questions)}
    sections = []
    for section in Section.objects.filter(component=component).order_by("position", "pk"):
        kept = []
        for question in [q for q in questions if q.section_id == section.pk]:
            options = list(question.options.all())
            condition = question.condition_option
            kept.append({
                **{name: getattr(question, name) for name in QUESTION_FIELDS},
                "options": [option.label for option in options if not option.is_other],
                "other_option": any(option.is_other for option in options),
                # The answer that shows it: (number of its question in the questionnaire, position of the answer).
                "condition": ([order[condition.question_id], condition.position]
                              if condition is not None and condition.question_id in order else None),
            })
        sections.append({"title": section.title, "description": section.description, "questions": kept})
    return {"intro": questionnaire.intro if questionnaire else "", "sections": sections}


def template_import(*, actor, component, content: dict) -> None:
    if content.get("intro"):
        building.questionnaire_intro_update(actor=actor, component=component, intro=content["intro"])
    made = []
    for kept_section in content.get("sections", []):
        section = building.section_create(actor=actor, component=component, title=kept_section["title"],
                                          description=kept_section.get("description", ""))
        for kept in kept_section.get("questions", []):
            condition = kept.get("condition")
            condition_option = None
            if condition and condition[0] < len(made):
                condition_option = made[condition[0]].options.filter(position=condition[1]).first()
            made.append(building.question_create(
                actor=actor, section=section, options=kept.get("options", []),
                other_option=kept.get("other_option", False), condition_option=condition_option,
                **{name: kept.get(name) for name in QUESTION_FIELDS if kept.get(name) is not None}))
