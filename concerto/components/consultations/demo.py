"""Demo data: a questionnaire about a park, answered by about 150 residents (some on paper).

Everything goes through the services, so the audit log and the contributions ledger are real.
"""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from concerto.components.consultations import building, services
from concerto.components.consultations.models import Question
from concerto.components.consultations.questionnaire import questionnaire_structure
from concerto.core.participation.models import Channel
from concerto.core.spaces.services import component_add, component_publish, component_update_settings
from concerto.core.territory.models import Organisation

Kind = Question.Kind
# Roughly the centre of a few communes, to scatter the map answers (boundaries may not be imported).
CENTRES = {"sceaux": (48.7765, 2.2900), "montreuil": (48.8620, 2.4430), "bagneux": (48.7960, 2.3080)}
FIRST_NAMES = ["Camille", "Léa", "Hugo", "Inès", "Nathan", "Chloé", "Yanis", "Manon", "Lucas", "Sarah", "Karim",
               "Julie", "Mehdi", "Emma", "Thomas", "Aïcha", "Paul", "Zoé", "Rayan", "Louise"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Diallo", "Nguyen", "Moreau", "Haddad", "Lefèvre", "Traoré", "Roux",
              "Fontaine", "Benali", "Girard", "Mercier", "Da Silva"]
IDEAS = [
    "Des fontaines à eau potable près des jeux.",
    "Un coin calme pour lire, loin des terrains de sport.",
    "Plus de poubelles de tri et des cendriers.",
    "Ouvrir le parc plus tard l'été, jusqu'à 22 h.",
    "Un parcours sportif avec quelques agrès.",
    "Des toilettes accessibles aux personnes en fauteuil.",
    "Éclairer l'allée principale le soir, c'est trop sombre en hiver.",
    "Un potager partagé avec l'école voisine.",
    "Des bancs à l'ombre pour les personnes âgées.",
    "Un espace pour les chiens, séparé des jeux d'enfants.",
]


def demo_load(*, actor, space) -> None:
    """Add to SPACE (published, with a current step) a published consultation with ~150 responses."""
    rng = random.Random(2026)
    component = component_add(actor=actor, space=space, kind="consultations",
                              title="Questionnaire\u00a0: le parc de demain")
    component_update_settings(actor=actor, component=component,
                              settings={"participation": "account", "results_visibility": "public"}, step_settings={})
    building.questionnaire_intro_update(actor=actor, component=component, intro=(
        "Le parc va être réaménagé en 2027. Avant de dessiner le projet, la ville veut savoir comment vous "
        "l'utilisez et ce qui compte pour vous.\n\nRépondre prend cinq minutes. Les résultats seront publiés "
        "sur cette page et présentés en réunion publique."
    ))
    you = building.section_create(actor=actor, component=component, title="Vous et le parc",
                                  description="Quelques questions sur vos habitudes.")
    frequency = building.question_create(
        actor=actor, section=you, kind=Kind.SINGLE, required=True, label="À quelle fréquence venez-vous au parc\u00a0?",
        options=["Tous les jours", "Chaque semaine", "Chaque mois", "Rarement ou jamais"])
    activities = building.question_create(
        actor=actor, section=you, kind=Kind.MULTIPLE, max_choices=3, label="Qu'y venez-vous faire\u00a0?",
        help_text="Trois réponses au plus.", other_option=True,
        options=["Me promener", "Faire du sport", "Jouer avec les enfants", "Pique-niquer", "Lire ou me reposer"])
    transport = building.question_create(
        actor=actor, section=you, kind=Kind.SINGLE, required=True, label="Comment venez-vous au parc\u00a0?",
        options=["À pied", "À vélo", "En transports en commun", "En voiture"])
    by_bike = transport.options.get(label="À vélo")
    minutes = building.question_create(
        actor=actor, section=you, kind=Kind.NUMBER, label="Combien de minutes dure votre trajet à vélo\u00a0?",
        min_value=1, max_value=120, condition_option=by_bike)
    last_visit = building.question_create(actor=actor, section=you, kind=Kind.DATE,
                                          label="Quand êtes-vous venu pour la dernière fois\u00a0?")
    wishes = building.section_create(actor=actor, component=component, title="Vos priorités",
                                     description="Ce que le projet doit améliorer en premier.")
    ranking = building.question_create(
        actor=actor, section=wishes, kind=Kind.RANKING, label="Classez ces aménagements par ordre de priorité",
        options=["Plus d'ombre et d'arbres", "Des bancs", "Des toilettes publiques", "Une aire de jeux rénovée"])
    satisfaction = building.question_create(
        actor=actor, section=wishes, kind=Kind.SCALE, scale=Question.Scale.ZERO_TO_TEN, required=True,
        label="Êtes-vous satisfait du parc aujourd'hui\u00a0?", scale_min_label="Pas du tout",
        scale_max_label="Tout à fait")
    bench = building.question_create(actor=actor, section=wishes, kind=Kind.POINT,
                                     label="Où faudrait-il ajouter un banc\u00a0?")
    ideas = building.question_create(actor=actor, section=wishes, kind=Kind.LONG_TEXT,
                                     label="Avez-vous d'autres idées pour le parc\u00a0?")
    component_publish(actor=actor, component=component)

    structure = questionnaire_structure(component)
    options = structure.options
    organisation = space.organisation
    centre = CENTRES.get(organisation.slug, (48.8566, 2.3522))
    neighbours = list(Organisation.objects.communes().filter(parent_id=organisation.parent_id)
                      .exclude(pk=organisation.pk).order_by("name")[:4])
    today = timezone.localdate()

    def answers() -> dict:
        values = {
            frequency.pk: {"option": rng.choice(options[frequency.pk]).pk, "other": ""},
            transport.pk: {"option": rng.choices(options[transport.pk], weights=[6, 3, 2, 1])[0].pk, "other": ""},
            satisfaction.pk: rng.choices(range(11), weights=[1, 1, 2, 3, 4, 6, 8, 9, 7, 4, 2])[0],
        }
        picked = rng.sample(options[activities.pk], rng.randint(1, 3))
        other = next((option for option in picked if option.is_other), None)
        values[activities.pk] = {"options": [option.pk for option in picked],
                                 "other": "Observer les oiseaux" if other else ""}
        if values[transport.pk]["option"] == by_bike.pk:
            values[minutes.pk] = float(rng.randint(3, 25))
        if rng.random() < 0.7:
            values[last_visit.pk] = today - timedelta(days=rng.randint(0, 120))
        if rng.random() < 0.8:
            values[ranking.pk] = [option.pk for option in rng.sample(options[ranking.pk], len(options[ranking.pk]))]
        if rng.random() < 0.5:
            values[bench.pk] = (round(centre[0] + rng.uniform(-0.006, 0.006), 5),
                                round(centre[1] + rng.uniform(-0.008, 0.008), 5))
        if rng.random() < 0.4:
            values[ideas.pk] = rng.choice(IDEAS)
        return values

    User = get_user_model()
    for number in range(110):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"parc-{organisation.slug}-{number}@demo.concerto.test"
        residence = organisation if rng.random() < 0.75 else (rng.choice(neighbours) if neighbours else None)
        resident = User.objects.filter(email=email).first() or User.objects.create_user(
            email, password=None, display_name=f"{first} {last[0]}.", residence=residence)
        services.response_submit(component=component, answers=answers(), respondent=resident)
    for number in range(40):
        services.paper_response_enter(
            actor=actor, component=component, answers=answers(),
            channel=Channel.PAPER if number % 4 else Channel.IN_PERSON,
            residence=organisation if rng.random() < 0.8 else None,
            answered_on=max(date(2000, 1, 1), today - timedelta(days=rng.randint(0, 20))),
        )
