"""Demo content: a published proposals component with categories, located proposals, supports, comments
and a few official answers, all written through the services (so the ledger and the audit log are real)."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from concerto.components.proposals import services
from concerto.components.proposals.models import Proposal
from concerto.components.proposals.text import normalise
from concerto.core.geocoding import demo_address
from concerto.core.maps import Point
from concerto.core.participation.services import comment_create, follow_add
from concerto.core.spaces.services import component_add, component_publish, component_update_settings

CATEGORIES = ["Nature et biodiversité", "Mobilités", "Solidarité et vivre-ensemble", "Culture et sport",
              "Propreté et cadre de vie"]

# (category index, title, text)
PROPOSALS = [
    (0, "Planter des arbres fruitiers dans les cours d'école",
     "Des pommiers et des poiriers dans chaque cour\u00a0: de l'ombre l'été et des fruits pour le goûter."),
    (0, "Un jardin partagé près de la gare",
     "Le terrain en friche derrière la gare pourrait accueillir des bacs de culture ouverts à tous."),
    (0, "Des nichoirs pour les mésanges dans les parcs",
     "Les mésanges mangent les chenilles processionnaires\u00a0: installons des nichoirs plutôt que des pesticides."),
    (0, "Désimperméabiliser la place du marché",
     "Remplacer une partie du bitume par des pavés enherbés pour que la pluie s'infiltre."),
    (0, "Une prairie fleurie le long de la coulée verte",
     "Faucher moins souvent et semer des fleurs locales pour les abeilles."),
    (0, "Des arbres le long de l'avenue principale",
     "L'avenue est brûlante en été\u00a0: un alignement d'arbres ferait baisser la température."),
    (0, "Un verger municipal ouvert aux habitants",
     "Un verger où chacun peut cueillir, avec des ateliers de taille animés par des bénévoles."),
    (0, "Récupérer l'eau de pluie des bâtiments publics",
     "Des cuves sous les gouttières de la mairie et des écoles pour arroser les massifs."),
    (1, "Une piste cyclable sécurisée vers le lycée",
     "Les élèves roulent au milieu des voitures\u00a0: une piste séparée rendrait le trajet plus sûr."),
    (1, "Des arceaux à vélos devant les commerces",
     "On ne sait jamais où attacher son vélo quand on fait ses courses en centre-ville."),
    (1, "Un abri à vélos fermé à la gare",
     "Un local sécurisé, accessible avec un badge, pour ne plus se faire voler son vélo."),
    (1, "Rues scolaires aux heures d'entrée et de sortie",
     "Fermer les rues devant les écoles aux voitures à 8 h 30 et à 16 h 30."),
    (1, "Des bancs le long des trajets à pied",
     "Pour les personnes âgées, un banc tous les 200 mètres permet de marcher plus loin."),
    (1, "Élargir les trottoirs de la rue commerçante",
     "Les poussettes et les fauteuils roulants ne passent pas à côté des terrasses."),
    (1, "Une navette électrique vers le marché",
     "Une petite navette le samedi matin pour les quartiers éloignés du centre."),
    (1, "Zone 30 dans tout le quartier résidentiel",
     "Limiter la vitesse réduit le bruit et les accidents, et rend la rue aux piétons."),
    (2, "Une boîte à dons dans chaque quartier",
     "Une armoire où déposer et prendre livres, vêtements et jouets en bon état."),
    (2, "Un repair café mensuel",
     "Des bénévoles aident à réparer petit électroménager, vélos et vêtements au lieu de jeter."),
    (2, "Des repas partagés entre générations",
     "Un déjeuner par mois à la résidence seniors, ouvert aux familles du quartier."),
    (2, "Une épicerie solidaire étudiante",
     "Beaucoup d'étudiants sautent des repas\u00a0: une épicerie à prix réduits les aiderait."),
    (2, "Des cours de français pour les nouveaux arrivants",
     "Des ateliers gratuits le soir, animés par des bénévoles, à la médiathèque."),
    (2, "Un frigo solidaire devant le centre social",
     "Les commerçants et les habitants y déposent les invendus, chacun se sert."),
    (2, "Un annuaire des voisins qui rendent service",
     "Bricolage, garde d'animaux, courses\u00a0: mettre en relation ceux qui proposent et ceux qui ont besoin."),
    (2, "Des toilettes publiques accessibles",
     "Il manque des toilettes propres et accessibles près du parc et du marché."),
    (3, "Un terrain de basket en accès libre",
     "Les jeunes n'ont nulle part où jouer le soir\u00a0: un terrain éclairé jusqu'à 22 h."),
    (3, "Des agrès de sport dans le parc",
     "Des équipements de musculation en plein air, utilisables par tous les âges."),
    (3, "Cinéma en plein air l'été",
     "Trois soirées de projection gratuite dans le parc en juillet et en août."),
    (3, "Une boîte à livres à l'arrêt de bus",
     "Pour lire en attendant le bus, et faire circuler les livres."),
    (3, "Des fresques sur les murs du tunnel",
     "Confier la décoration du passage souterrain aux élèves du collège et à des artistes."),
    (3, "Une piste de skate pour les ados",
     "Un petit skatepark près du stade, conçu avec les jeunes qui l'utiliseront."),
    (3, "Concerts des écoles de musique sur la place",
     "Une fête de la musique locale chaque trimestre, avec les élèves du conservatoire."),
    (3, "Un mur d'escalade dans le gymnase",
     "Les clubs et les écoles pourraient s'en servir toute l'année."),
    (4, "Plus de poubelles de tri dans les parcs",
     "On ne trouve que des poubelles ordinaires\u00a0: ajouter des bacs pour le verre et les emballages."),
    (4, "Des cendriers de poche distribués gratuitement",
     "Pour que les mégots ne finissent plus dans les caniveaux."),
    (4, "Un composteur collectif par quartier",
     "Les épluchures représentent un tiers de nos poubelles\u00a0: compostons-les près de chez nous."),
    (4, "Éclairage public plus économe",
     "Baisser l'intensité la nuit et passer aux LED dans toutes les rues."),
    (4, "Ramassage des encombrants sur rendez-vous",
     "Prendre rendez-vous en ligne au lieu d'attendre le passage mensuel."),
    (4, "Des journées de nettoyage citoyennes",
     "Une matinée par saison pour ramasser les déchets ensemble, avec gants et sacs fournis."),
    (4, "Rénover l'aire de jeux du square",
     "Les jeux sont abîmés et les sols usés\u00a0: une rénovation avec les enfants du quartier."),
    (4, "Des fontaines à eau potable",
     "Pouvoir remplir sa gourde au parc et près des terrains de sport."),
]

RESIDENTS = ["Léa Bernard", "Hugo Petit", "Inès Robert", "Lucas Richard", "Chloé Durand", "Nathan Leroy",
             "Manon Moreau", "Yanis Simon", "Emma Laurent", "Adam Lefebvre", "Jade Michel", "Rayan Garcia",
             "Louise David", "Gabriel Bertrand", "Sarah Roux", "Mathis Vincent"]

COMMENTS = [
    ("for", "Très bonne idée, je soutiens\u00a0!"),
    ("for", "Enfin\u00a0! Cela manque vraiment dans le quartier."),
    ("against", "Le coût me semble élevé par rapport à l'usage."),
    ("neutral", "Qui s'occuperait de l'entretien ?"),
    ("for", "Mes enfants en profiteraient tous les jours."),
    ("neutral", "Pourquoi ne pas commencer par un essai de six mois\u00a0?"),
]


def _resident(name: str, residence):
    email = f"{normalise(name).replace(' ', '.')}@demo.concerto.test"
    user_model = get_user_model()
    user = user_model.objects.filter(email=email).first()
    if user is None:
        user = user_model.objects.create_user(email=email, password=None, display_name=name, residence=residence)
    return user


def _point(rng: random.Random, commune, centre):
    """A point near CENTRE inside COMMUNE (checked when boundaries are imported)."""
    from concerto.core.territory import lookup

    for _attempt in range(50):
        point = (centre[0] + rng.uniform(-0.006, 0.006), centre[1] + rng.uniform(-0.008, 0.008))
        if not lookup.is_available():
            return point
        found = lookup.commune_at(point[1], point[0])
        if found is not None and found.pk == commune.pk:
            return point
    return None


def _centre(commune):
    """Somewhere in the middle of COMMUNE: its outline's representative point, else the Métropole's centre."""
    if commune is not None and commune.boundary:
        from shapely.geometry import shape

        point = shape(commune.boundary).representative_point()
        return point.y, point.x
    return 48.8566, 2.3522


@transaction.atomic
def demo_load(*, actor, space) -> None:
    """Add a published proposals component to SPACE with about forty proposals from its residents."""
    rng = random.Random(2026)
    organisation = space.organisation
    commune = organisation if organisation.is_commune else None
    component = component_add(actor=actor, space=space, kind="proposals", title="Vos idées pour la ville")
    component_update_settings(actor=actor, component=component, settings={
        "comments_enabled": True, "proposals_per_page": 20, "support_threshold": 8, "default_order": "random",
    }, step_settings={})
    # Published first: supports and comments are only given to public proposals.
    component_publish(actor=actor, component=component)
    categories = [services.category_create(actor=actor, component=component, name=name, position=number)
                  for number, name in enumerate(CATEGORIES, start=1)]
    residents = [_resident(name, commune) for name in RESIDENTS]
    centre = _centre(commune)
    created = []
    for number, (category, title, text) in enumerate(PROPOSALS):
        author = residents[number % len(residents)]
        point = _point(rng, commune, centre) if commune is not None and number % 4 != 3 else None
        if point is not None:
            point = Point(*point, demo_address(*point, commune.name))
        try:
            proposal = services.proposal_create(author=author, component=component, title=title, text=text,
                                                category=categories[category], point=point)
        except ValidationError:  # a point the lookup placed elsewhere: keep the idea, without a place
            proposal = services.proposal_create(author=author, component=component, title=title, text=text,
                                                category=categories[category])
        created.append(proposal)
    now = timezone.now()
    for number, proposal in enumerate(created):
        # Spread the submissions over the last weeks, so that "most recent" means something.
        Proposal.objects.filter(pk=proposal.pk).update(created_at=now - timedelta(hours=9 * (len(created) - number)))
        supporters = rng.sample(residents, rng.randint(0, 12))
        for supporter in supporters:
            if supporter.pk != proposal.author_id:
                services.support_add(user=supporter, proposal=proposal)
        for stance, body in rng.sample(COMMENTS, rng.randint(0, 3)):
            commenter = rng.choice([r for r in residents if r.pk != proposal.author_id])
            comment_create(author=commenter, target=proposal, body=body, stance=stance)
        if number % 6 == 0:
            follow_add(user=proposal.author, target=proposal)
    answers = [
        (created[0], "accepted", "Les services techniques ont validé la plantation dans trois écoles dès cet hiver."),
        (created[8], "under_study", "Le tracé est à l'étude avec le Département, propriétaire de la route."),
        (created[23], "rejected", "Deux toilettes publiques accessibles ouvriront déjà l'an prochain dans le "
                                  "cadre du contrat de propreté\u00a0: ce projet ferait double emploi."),
        (created[34], "implemented", "Douze composteurs sont installés\u00a0; la liste est sur le site de la ville."),
    ]
    for proposal, status, text in answers:
        services.proposal_answer(actor=actor, proposal=proposal, status=status, text=text)
