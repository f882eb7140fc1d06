"""Demo data: an opinion debate in Montreuil's local-plan (PLU) space, written in French, with synthetic votes so
that its results page shows groups at once.

The votes are drawn (seed 17) for 150 made-up participants in three latent profiles — « build more homes », « keep
the green and the scale of the town », « streets for walking and cycling first » — with a few statements everyone
shares. They are written in bulk under `demo:<n>` keys, not through services.vote: they are not people and have no
place in the contributions ledger. The groups are computed at load."""

import random
from datetime import timedelta

from django.utils import timezone

from concerto.components.opinions import services
from concerto.components.opinions.models import Conversation, Statement, Vote
from concerto.core.spaces.services import component_add, component_publish

SEED, PARTICIPANTS = 17, 150
PROFILES = (60, 50, 40)  # participants per latent profile
# (statement, probability of agreeing for each profile): the rest disagree or pass (one in five of the rest).
STATEMENTS = (
    ("Il faut construire davantage de logements sociaux à Montreuil.", (0.9, 0.35, 0.55)),
    ("Les immeubles de plus de six étages doivent rester l’exception.", (0.15, 0.9, 0.5)),
    ("Les murs à pêches doivent être entièrement protégés de toute construction.", (0.3, 0.95, 0.6)),
    ("Les friches industrielles doivent d’abord accueillir des logements.", (0.9, 0.3, 0.45)),
    ("Chaque nouvel immeuble doit avoir un toit végétalisé ou des panneaux solaires.", (0.6, 0.8, 0.75)),
    ("Le PLU doit imposer moins de places de parking dans les immeubles neufs.", (0.55, 0.2, 0.95)),
    ("Il faut créer une rue piétonne dans chaque quartier.", (0.3, 0.45, 0.95)),
    ("Les pistes cyclables doivent être séparées des voitures sur les grands axes.", (0.5, 0.5, 0.95)),
    ("La hauteur des bâtiments près du métro peut augmenter.", (0.85, 0.15, 0.6)),
    ("Les jardins partagés doivent être inscrits dans le PLU pour ne pas disparaître.", (0.45, 0.9, 0.7)),
    ("Les commerces de rez-de-chaussée doivent être protégés sur les rues commerçantes.", (0.75, 0.75, 0.8)),
    ("Les habitants doivent être consultés avant chaque projet de plus de 50 logements.", (0.8, 0.9, 0.85)),
    ("Il faut limiter la circulation des voitures autour des écoles.", (0.6, 0.55, 0.95)),
    ("Les pavillons anciens doivent pouvoir être remplacés par de petits immeubles.", (0.8, 0.1, 0.45)),
    ("Il faut planter au moins un arbre pour chaque logement construit.", (0.55, 0.9, 0.8)),
    ("La ville doit acheter des terrains pour y faire des parcs.", (0.35, 0.85, 0.7)),
)


def demo_load(*, actor, space):
    """An opinions component in SPACE (Montreuil's PLU) with an open debate, its votes and its groups; returns
    the conversation."""
    component = component_add(actor=actor, space=space, kind="opinions", title="Débat d’opinions")
    component_publish(actor=actor, component=component)
    now = timezone.now()
    conversation = Conversation.objects.create(
        component=component, question="Quelle ville voulons-nous construire d’ici 2040\u00a0?",
        description=("Le plan local d’urbanisme fixe où et comment on construit à Montreuil. Dites si vous êtes "
                     "d’accord avec chaque affirmation, et proposez les vôtres."),
        moderation=Conversation.Moderation.BEFORE, audience=Conversation.Audience.ANYONE,
        opens_at=now - timedelta(days=20), closes_at=now + timedelta(days=40), published_at=now - timedelta(days=20))
    statements = Statement.objects.bulk_create(
        Statement(conversation=conversation, text=text, status=Statement.Status.ACCEPTED, seed=True,
                  created_at=now - timedelta(days=20)) for text, _shares in STATEMENTS)
    rng = random.Random(SEED)
    profiles = [profile for profile, size in enumerate(PROFILES) for _n in range(size)]
    votes = []
    for number, profile in enumerate(profiles, start=1):
        for statement, (_text, shares) in zip(statements, STATEMENTS, strict=True):
            if rng.random() < 0.25:  # nobody votes on everything
                continue
            draw = rng.random()
            agree = shares[profile]
            value = 1 if draw < agree else (0 if draw < agree + (1 - agree) / 5 else -1)
            votes.append(Vote(statement=statement, participant=f"demo:{number}", value=value,
                              voted_at=now - timedelta(days=rng.randint(0, 19), minutes=rng.randint(0, 1440))))
    Vote.objects.bulk_create(votes, batch_size=2000)
    services.recompute_groups(conversation)
    return conversation
