"""Demo data: Sceaux has an open quick poll, answered by a dozen residents on the web, in the chat and through the
API (through poll_answer, so the ledger is real). The demo resident has not answered: they can try it."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from concerto.components.polls import services
from concerto.core.participation.models import Channel
from concerto.core.spaces.services import component_add, component_publish

CHANNELS = [Channel.WEB] * 6 + [Channel.CHATBOT] * 4 + [Channel.API] * 2
NAMES = ["Léa", "Hugo", "Inès", "Nathan", "Chloé", "Yanis", "Manon", "Lucas", "Sarah", "Karim", "Julie", "Mehdi"]


def demo_load(*, actor, space):
    """A polls component in SPACE (Sceaux's) with an open poll and its answers; returns the poll."""
    component = component_add(actor=actor, space=space, kind="polls", title="Sondages express")
    component_publish(actor=actor, component=component)
    now = timezone.now()
    poll = services.poll_create(
        actor=actor, component=component,
        question="Faut-il ouvrir le jardin de la Ménagerie jusqu’à 22\u00a0h l’été\u00a0?",
        choices=["Oui, tous les soirs", "Oui, le week-end seulement", "Non"], why="optional",
        opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=60), publish=True)
    services.poll_create(
        actor=actor, component=component, question="Quels jours pour le marché du soir\u00a0?",
        choices=["Mardi", "Jeudi", "Vendredi"], multiple=True, results="at_close",
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30), publish=True)
    users = get_user_model().objects
    rng = random.Random(15)
    choices = list(poll.choices.all())
    organisation = space.organisation
    for number, (name, channel) in enumerate(zip(NAMES, CHANNELS, strict=True), start=1):
        person, _created = users.get_or_create(email=f"sondage{number}@sceaux.demo",
                                               defaults={"display_name": name, "residence": organisation})
        choice = rng.choices(choices, weights=[5, 3, 2])[0]
        why = "Les soirées d’été sont le meilleur moment pour en profiter." if number % 4 == 0 else ""
        services.poll_answer(poll=poll, user=person, choices=[choice.pk], why=why, channel=channel)
    return poll
