"""Demo content: Sceaux's « Questions aux élus », the public profile of its demo elected official (Claire Dubois,
elu@sceaux.demo) and three questions: answered on time, answered late, waiting for its answer. Written through the
services (moderation, supports, answers), then dated back so that deadlines and delays read true."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from concerto.components.questions import services
from concerto.components.questions.models import OfficialProfile, Question
from concerto.core.participation.services import moderation_dismiss
from concerto.core.spaces.models import Space
from concerto.core.spaces.services import (
    component_add,
    component_publish,
    component_update_settings,
    space_create,
    space_publish,
    step_create,
)

SLUG = "questions-aux-elus"
SUPPORTERS = [("lucie.bernard@sceaux.demo", "Lucie Bernard"), ("marc.petit@sceaux.demo", "Marc Petit"),
              ("sarah.cohen@sceaux.demo", "Sarah Cohen")]
# (title, text, to the official?, days ago: published, committed, answered or None; answer)
QUESTIONS = [
    ("Quand les arceaux à vélos promis devant la gare seront-ils installés\u00a0?",
     "Ils avaient été annoncés au printemps. On attache toujours les vélos aux grilles.", True, 45, 40, 25,
     "Les quarante arceaux sont commandés et seront posés la semaine prochaine, côté gare et côté marché. "
     "Venez en parler à la réunion de restitution."),
    ("Pourquoi l'éclairage du parc est-il éteint dès 22\u00a0h\u00a0?",
     "Rentrer à pied le soir par le parc n'est pas rassurant.", False, 70, 60, 12,
     "Pour économiser l'énergie et protéger la faune, l'éclairage s'éteint à 22\u00a0h. Nous allons garder "
     "allumée l'allée principale jusqu'à minuit à partir du mois prochain. Pardon pour ce retard de réponse."),
    ("La rue Houdan peut-elle devenir piétonne le dimanche\u00a0?",
     "Le marché du dimanche attire beaucoup de monde et les voitures passent au ras des étals.", True, 9, 5, None, ""),
]


def _person(email, name):
    user, created = get_user_model().objects.get_or_create(email=email, defaults={"display_name": name})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def demo_load(*, actor, moderator, organisation, official, author) -> None:
    """Once: a space of ORGANISATION with a published questions component, OFFICIAL's profile and the questions
    (the first asked by AUTHOR, so that their digests have an answer)."""
    if Space.objects.filter(organisation=organisation, slug=SLUG).exists():
        return
    today = timezone.localdate()
    space = space_create(actor=actor, organisation=organisation, title="Questions aux élus de Sceaux", slug=SLUG,
                         summary="Posez vos questions aux élus\u00a0: au-delà de trois soutiens, ils répondent "
                                 "publiquement sous trente jours.",
                         description="Une question par sujet, sans données personnelles. La modération vérifie "
                                     "qu'elle respecte la charte avant de la publier.",
                         start_date=today - timedelta(days=90), end_date=today + timedelta(days=300))
    step_create(actor=actor, space=space, title="Questions ouvertes", start_date=today - timedelta(days=90),
                end_date=today + timedelta(days=300))
    component = component_add(actor=actor, space=space, kind="questions", title="Questions aux élus")
    component_update_settings(actor=actor, component=component, step_settings={},
                              settings={"support_threshold": 3, "answer_days": 30, "reminder_days": 7})
    component_publish(actor=actor, component=component)
    space_publish(actor=actor, space=space)
    profile = (OfficialProfile.objects.filter(organisation=organisation, user=official).first()
               or services.official_profile_save(
                   actor=actor, organisation=organisation, user=official, name=official.public_name,
                   mandate="Adjointe au maire chargée des mobilités et du climat",
                   delegations="Mobilités\nClimat et transition écologique\nEspaces publics"))
    supporters = [_person(email, name) for email, name in SUPPORTERS]
    now = timezone.now()
    events = services.event_choices(organisation)
    for number, (title, text, to_official, published, committed, answered, answer) in enumerate(QUESTIONS):
        question = services.question_ask(author=author if number == 0 else supporters[number],
                                         component=component, title=title, text=text,
                                         addressee=profile if to_official else None)
        moderation_dismiss(moderator=moderator, content=question)
        for supporter in [author, *supporters]:
            if supporter.pk != question.author_id:
                services.question_support(user=supporter, question=question)
        services.question_assign(actor=actor, question=question, assignee=official)
        question.refresh_from_db()
        due = now - timedelta(days=committed) + timedelta(days=30)
        Question.objects.filter(pk=question.pk).update(
            published_at=now - timedelta(days=published), committed_at=now - timedelta(days=committed), due_at=due)
        question.refresh_from_db()
        if answered is not None:
            services.question_answer(actor=official, question=question, text=answer,
                                     event_url=events[-1][0] if number == 0 and events else "")
            Question.objects.filter(pk=question.pk).update(answered_at=now - timedelta(days=answered))
