"""Demo content of a budgets component: a whole cycle that has reached the follow-up, in Montreuil.

Two budgets: one for the whole commune, counted by the Method of Equal Shares, and one for a quartier,
counted greedily with knapsack ballots. About twenty-five projects in every state of the review, the list
put to the vote, a few hundred ballots from verified residents (web, paper, in person), the commune's
results published (the quartier's counted but waiting to be checked), and news of two winning projects.

Everything that the services can still do after the dates went by goes through them (budgets, categories,
reviews, the ballot list, counting, publishing, follow-up); projects and ballots of the past steps are
written as they were submitted and cast, in bulk, so that the demo loads in a second or two.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from concerto.components.budgets import results, services
from concerto.components.budgets.models import Ballot, BallotChoice, Budget, Project
from concerto.core.accountability.demo import demo_photo
from concerto.core.accounts.models import Verification
from concerto.core.audit.services import audit_record
from concerto.core.participation.services import follow_add
from concerto.core.spaces.models import Space
from concerto.core.spaces.services import (
    component_add,
    component_publish,
    component_update_settings,
    space_create,
    space_publish,
    step_create,
)
from concerto.core.territory.models import Organisation

SPACE_SLUG = "budget-participatif-2025"
COMMUNE_BUDGET = "Tout Montreuil"
QUARTIER_BUDGET = "Quartier Bas-Montreuil – République"
CATEGORIES = ["Nature en ville", "Mobilités", "Solidarité", "Sport et culture", "Cadre de vie"]

# (budget: "c" commune / "q" quartier, category index, title, text, cost, review)
# review: "ballot" (put to the vote), "ineligible", "not_feasible", "merged", "withdrawn"
PROJECTS = [
    ("c", 0, "Une forêt urbaine au parc des Beaumonts",
     "Planter 600 arbres d'essences locales sur une friche du parc, avec les écoles du quartier.", 180_000, "ballot"),
    ("c", 0, "Des jardins partagés sur les toits des écoles",
     "Des bacs potagers sur trois toits-terrasses, entretenus par les classes et les parents.", 95_000, "ballot"),
    ("c", 0, "Renaturer la cour du collège Jean-Moulin",
     "Remplacer le bitume par de la terre, des arbres et un coin d'ombre.", 140_000, "ballot"),
    ("c", 1, "Une piste cyclable continue sur le boulevard de Chanzy",
     "Relier la gare Robespierre au centre-ville sans descendre de vélo.", 220_000, "ballot"),
    ("c", 1, "Des abris vélos sécurisés près des stations de métro",
     "Quatre abris fermés, accessibles avec un badge, à Croix-de-Chavaux et Mairie-de-Montreuil.", 60_000, "ballot"),
    ("c", 1, "Des bancs tous les 200 mètres sur les trajets des aînés",
     "Pour que les personnes âgées puissent marcher plus loin en se reposant.", 35_000, "ballot"),
    ("c", 2, "Un frigo solidaire dans chaque centre social",
     "Les commerçants et les habitants y déposent les invendus, chacun se sert.", 24_000, "ballot"),
    ("c", 2, "Une bagagerie pour les personnes sans abri",
     "Un local où déposer ses affaires en sécurité pendant la journée.", 75_000, "ballot"),
    ("c", 2, "Des cours de français gratuits à la médiathèque",
     "Des ateliers le soir pour les nouveaux arrivants, avec des bénévoles formés.", 18_000, "ballot"),
    ("c", 3, "Un terrain de basket éclairé aux Murs-à-Pêches",
     "Un terrain en accès libre, éclairé jusqu'à 22 h, pour les jeunes du quartier.", 110_000, "ballot"),
    ("c", 3, "Un festival de musique des écoles sur la place Jean-Jaurès",
     "Une journée par an pour les élèves du conservatoire et des écoles de musique.", 30_000, "ballot"),
    ("c", 4, "Des fontaines à eau dans les parcs",
     "Pouvoir remplir sa gourde au parc Montreau, aux Beaumonts et au parc des Guilands.", 45_000, "ballot"),
    ("c", 4, "Des toilettes publiques accessibles au marché de la Croix-de-Chavaux",
     "Des toilettes propres, gratuites et accessibles en fauteuil.", 85_000, "ballot"),
    ("c", 1, "Un téléphérique entre le Haut et le Bas-Montreuil",
     "Une ligne de téléphérique au-dessus de la ville.", 480_000, "not_feasible"),
    ("c", 4, "Repeindre la mairie en vert",
     "Une façade plus gaie pour l'hôtel de ville.", 60_000, "ineligible"),
    ("c", 0, "Des arbres fruitiers dans les cours d'école",
     "Des pommiers et des poiriers pour l'ombre et le goûter.", 40_000, "merged"),
    ("q", 0, "Végétaliser la rue de Paris",
     "Des bacs plantés et des pieds d'arbres fleuris sur toute la rue.", 32_000, "ballot"),
    ("q", 1, "Une rue scolaire devant l'école Jules-Ferry",
     "Fermer la rue aux voitures à l'entrée et à la sortie des classes.", 18_000, "ballot"),
    ("q", 2, "Une boîte à dons place de la République",
     "Une armoire où déposer et prendre livres, vêtements et jouets.", 6_000, "ballot"),
    ("q", 3, "Des agrès de sport au square Marcel-Cachin",
     "Des équipements de musculation en plein air, pour tous les âges.", 28_000, "ballot"),
    ("q", 3, "Une fresque sur le mur du gymnase",
     "Confier la décoration du mur aux jeunes du quartier et à un artiste.", 12_000, "ballot"),
    ("q", 4, "Rénover l'aire de jeux du square de la République",
     "Des jeux neufs et des sols souples, choisis avec les enfants.", 45_000, "ballot"),
    ("q", 4, "Un composteur collectif rue Robespierre",
     "Les épluchures représentent un tiers de nos poubelles\u00a0: compostons-les ici.", 8_000, "ballot"),
    ("q", 1, "Un parking souterrain sous la place",
     "Trois cents places de stationnement.", 2_500_000, "ineligible"),
    ("q", 2, "Une épicerie solidaire étudiante",
     "Une épicerie à petits prix pour les étudiants du quartier.", 40_000, "withdrawn"),
]
# How much each project of the ballot is liked (the chance a voter chooses it), by title.
POPULARITY = {
    "Une forêt urbaine au parc des Beaumonts": 0.55, "Des jardins partagés sur les toits des écoles": 0.35,
    "Renaturer la cour du collège Jean-Moulin": 0.3, "Une piste cyclable continue sur le boulevard de Chanzy": 0.45,
    "Des abris vélos sécurisés près des stations de métro": 0.3,
    "Des bancs tous les 200 mètres sur les trajets des aînés": 0.25,
    "Un frigo solidaire dans chaque centre social": 0.3, "Une bagagerie pour les personnes sans abri": 0.2,
    "Des cours de français gratuits à la médiathèque": 0.15,
    "Un terrain de basket éclairé aux Murs-à-Pêches": 0.35,
    "Un festival de musique des écoles sur la place Jean-Jaurès": 0.2, "Des fontaines à eau dans les parcs": 0.4,
    "Des toilettes publiques accessibles au marché de la Croix-de-Chavaux": 0.3,
    "Végétaliser la rue de Paris": 0.6, "Une rue scolaire devant l'école Jules-Ferry": 0.5,
    "Une boîte à dons place de la République": 0.3, "Des agrès de sport au square Marcel-Cachin": 0.35,
    "Une fresque sur le mur du gymnase": 0.25, "Rénover l'aire de jeux du square de la République": 0.45,
    "Un composteur collectif rue Robespierre": 0.3,
}
FIRST_NAMES = ["Amina", "Lucas", "Fatou", "Hugo", "Inès", "Karim", "Léa", "Moussa", "Chloé", "Yacine", "Jeanne",
               "Samir", "Zoé", "Mamadou", "Louise", "Rayan", "Nour", "Théo", "Aïcha", "Jules"]
LAST_NAMES = ["Traoré", "Martin", "Benali", "Dubois", "Nguyen", "Diallo", "Petit", "Haddad", "Leroy", "Camara",
              "Moreau", "Bensaïd", "Fontaine", "Keita", "Roux"]
VOTERS = 320
QUARTIER_VOTERS = 140


def demo_space(*, actor) -> Space:
    """Montreuil's participatory budget 2025, its vote over and its winning projects under way (created once)."""
    montreuil = Organisation.objects.get(slug="montreuil")
    space = Space.objects.filter(organisation=montreuil, slug=SPACE_SLUG).first()
    if space is not None:
        return space
    today = timezone.localdate()
    space = space_create(
        actor=actor, organisation=montreuil, title="Budget participatif 2025 de Montreuil", slug=SPACE_SLUG,
        summary="Les Montreuillois ont voté\u00a0: découvrez les projets lauréats et suivez leur réalisation.",
        description=("La Ville consacre 500\u202f000\u00a0€ à des projets pour toute la commune et "
                     "80\u202f000\u00a0€ à des projets du Bas-Montreuil, proposés puis choisis par les habitants."
                     "\n\nLes résultats sont publiés "
                     "avec les bulletins anonymes\u00a0: chacun peut les recompter."),
        start_date=today - timedelta(days=220), end_date=today + timedelta(days=320))
    for title, description, start, end in [
        ("Dépôt des projets", "Chacun propose un projet pour la ville ou pour son quartier.", -220, -161),
        ("Étude par les services", "Recevabilité, faisabilité et coût de chaque projet.", -160, -76),
        ("Vote", "En ligne, en mairie et dans les centres sociaux.", -75, -46),
        ("Réalisation", "Suivi des projets lauréats.", -45, 320),
    ]:
        step_create(actor=actor, space=space, title=title, description=description,
                    start_date=today + timedelta(days=start), end_date=today + timedelta(days=end))
    space_publish(actor=actor, space=space)
    return space


def _step_settings(space) -> dict:
    """Submissions during the step whose title says "dépôt", the vote during the one that says "vote"."""
    settings = {}
    for step in space.steps.all():
        title = step.title.lower()
        settings[str(step.pk)] = {"submissions_open": "dépôt" in title or "depot" in title,
                                  "voting_open": title.startswith("vote") or " vote" in title,
                                  "comments_open": True}
    return settings


def _component(actor, space, title: str, step_settings: dict):
    """A published budgets component of SPACE, its vote for verified residents."""
    component = component_add(actor=actor, space=space, kind="budgets", title=title)
    component_update_settings(actor=actor, component=component, settings={
        "comments_enabled": True, "projects_per_page": 20, "vote_requires_verification": True, "minimum_age": 0,
    }, step_settings=step_settings)
    component_publish(actor=actor, component=component)
    return component


def _voters(organisation, rng: random.Random, count: int) -> list:
    """COUNT residents of ORGANISATION verified at a desk (created in bulk the first time)."""
    user_model = get_user_model()
    emails = [f"votant{n}.{organisation.slug}@demo.concerto.test" for n in range(1, count + 1)]
    existing = set(user_model.objects.filter(email__in=emails).values_list("email", flat=True))
    new = []
    for email in emails:
        if email not in existing:
            user = user_model(email=email, display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                              residence=organisation)
            user.set_unusable_password()
            new.append(user)
    user_model.objects.bulk_create(new, batch_size=500)
    users = list(user_model.objects.filter(email__in=emails).order_by("pk"))
    verified = set(Verification.objects.filter(user__in=users, organisation=organisation)
                   .values_list("user_id", flat=True))
    Verification.objects.bulk_create([
        Verification(user=user, organisation=organisation, method=Verification.Method.DESK)
        for user in users if user.pk not in verified], batch_size=500)
    return users


def _cast(budget: Budget, projects: list, voters: list, rng: random.Random, *, knapsack: bool, max_choices: int):
    """Ballots of VOTERS in BUDGET, in bulk (the vote is over: they were cast during its step)."""
    channels = ["web"] * 16 + ["paper"] * 3 + ["in_person"]
    ballots = Ballot.objects.bulk_create([
        Ballot(budget=budget, voter=user, voter_key=f"user:{user.pk}", channel=rng.choice(channels),
               commune_id=user.residence_id) for user in voters], batch_size=500)
    choices = []
    for ballot in ballots:
        liked = [p for p in projects if rng.random() < POPULARITY.get(p.title, 0.2)]
        rng.shuffle(liked)
        chosen, spent = [], 0
        for project in liked:
            if knapsack and spent + project.final_cost > budget.amount:
                continue
            if max_choices and len(chosen) >= max_choices:
                break
            chosen.append(project)
            spent += project.final_cost
        choices += [BallotChoice(ballot=ballot, project=project) for project in chosen]
    BallotChoice.objects.bulk_create(choices, batch_size=2000)


@transaction.atomic
def demo_load(*, actor, space) -> None:
    """Add the budgets component to SPACE (see demo_space); nothing happens if SPACE already has one."""
    if space.components.filter(kind="budgets").exists():
        return
    rng = random.Random(2025)
    organisation = space.organisation
    component = _component(actor, space, "Budget participatif", _step_settings(space))
    commune_budget = services.budget_create(
        actor=actor, component=component, name=COMMUNE_BUDGET, amount=500_000, ballot_kind="approval",
        max_choices=5, rule="mes", description="Des projets pour toute la ville\u00a0: choisissez-en jusqu'à cinq.")
    quartier_budget = services.budget_create(
        actor=actor, component=component, name=QUARTIER_BUDGET, amount=80_000, ballot_kind="knapsack",
        rule="greedy", description="Des projets pour le Bas-Montreuil\u00a0: composez votre panier dans l'enveloppe.")
    categories = [services.category_create(actor=actor, component=component, name=name, position=number)
                  for number, name in enumerate(CATEGORIES, start=1)]
    authors = _voters(organisation, rng, 24)
    budgets = {"c": commune_budget, "q": quartier_budget}
    now = timezone.now()
    created = Project.objects.bulk_create([
        Project(component=component, budget=budgets[which], category=categories[category], title=title,
                text=f"<p>{text}</p>", estimated_cost=round(cost * rng.uniform(0.8, 1.1), -3),
                author=authors[number % len(authors)], commune=organisation)
        for number, (which, category, title, text, cost, _review) in enumerate(PROJECTS)])
    Project.objects.filter(pk__in=[p.pk for p in created]).update(created_at=now - timedelta(days=190))
    audit_record(actor=actor, action="budgets.demo_loaded", target=component, organisation=organisation,
                 data={"projects": len(created)})
    by_title = {project.title: project for project in created}
    merged_into = by_title["Renaturer la cour du collège Jean-Moulin"]
    ballot = {"c": [], "q": []}
    for project, (which, _category, _title, _text, cost, review) in zip(created, PROJECTS, strict=True):
        if review == "withdrawn":
            Project.objects.filter(pk=project.pk).update(withdrawn_at=now - timedelta(days=170))
            continue
        if review == "ineligible":
            services.project_evaluate(
                actor=actor, project=project, eligibility="ineligible",
                eligibility_reason="<p>Le budget participatif finance des projets d'investissement d'intérêt "
                                   "général, réalisables par la Ville, dans l'enveloppe.</p>",
                public_answer="<p>Ce projet n'entre pas dans le cadre du budget participatif.</p>")
            continue
        if review == "not_feasible":
            services.project_evaluate(
                actor=actor, project=project, eligibility="eligible", feasibility="not_feasible",
                cost_estimate=min(cost, budgets[which].amount),
                public_answer="<p>Les services techniques ont étudié ce projet\u00a0: il n'est pas réalisable "
                              "sur le domaine de la Ville.</p>")
            continue
        services.project_evaluate(actor=actor, project=project, eligibility="eligible", feasibility="feasible",
                                  cost_estimate=cost,
                                  public_answer="<p>Projet recevable et faisable\u00a0: il est soumis au vote.</p>")
        if review == "merged":
            services.project_merge(actor=actor, project=project, into=merged_into)
            continue
        ballot[which].append(project)
    for which, budget in budgets.items():
        services.ballot_list_set(actor=actor, budget=budget, project_ids=[p.pk for p in ballot[which]])
        services.ballot_list_publish(actor=actor, budget=budget)
    for key in ballot:
        ballot[key] = list(Project.objects.filter(pk__in=[p.pk for p in ballot[key]]).order_by("ballot_number"))

    window = component.window("voting_open")
    if window.open or window.closed_on is None:
        return  # the vote of SPACE has not taken place yet: no ballots, no results
    voters = _voters(organisation, rng, VOTERS)
    _cast(commune_budget, ballot["c"], voters, rng, knapsack=False, max_choices=5)
    _cast(quartier_budget, ballot["q"], rng.sample(voters, QUARTIER_VOTERS), rng, knapsack=True, max_choices=0)
    for project in ballot["c"][:3]:
        for follower in rng.sample(voters, 4):
            follow_add(user=follower, target=project)

    result = results.result_compute(actor=actor, budget=commune_budget)
    results.result_publish(actor=actor, result=result)
    results.result_compute(actor=actor, budget=quartier_budget)  # counted, to be checked before publishing

    winners = list(Project.objects.filter(budget=commune_budget, selected=True).order_by("-final_cost", "pk"))
    _follow_up(actor, winners)


# The follow-up of the winners: each one's action in the kernel's decisions and actions, at every stage.
FOLLOW_UP = (
    # stage, progress, text, works start and end (days from today), photos
    ("done", 100, "Inauguration le 14 juin : merci à tous ceux qui ont voté pour ce projet.", -250, -30,
     (((60, 140, 70), "Le projet réalisé, le jour de l’inauguration"),
      ((90, 120, 160), "Les habitants à l’inauguration"))),
    ("works", 60, "Les travaux ont pris du retard : une livraison de matériel manque. Reprise prévue en "
                  "janvier.", -200, -15, ()),  # late: its planned end has passed
    ("studies", 15, "Les services étudient les emplacements avec les associations du quartier.", 30, 200, ()),
    ("abandoned", 0, "Le terrain prévu n’est pas constructible : le budget revient aux autres projets.", None,
     None, ()),
)


def _follow_up(actor, winners) -> None:
    today = timezone.localdate()
    for project, (stage, progress, text, start, end, photos) in zip(winners, FOLLOW_UP, strict=False):
        services.progress_update_create(
            actor=actor, project=project, stage=stage, progress=progress, text=text,
            photos=[(demo_photo(colour), alt) for colour, alt in photos],
            works_start=today + timedelta(days=start) if start is not None else None,
            works_end=today + timedelta(days=end) if end is not None else None)


# Sceaux 2026: ideas become projects ------------------------------------------------------------------------

IDEAS_TO_PROJECTS = 6


@transaction.atomic
def demo_ideas_load(*, actor, space) -> None:
    """Add a budgets component to SPACE (Sceaux's 2026 budget, whose ideas are in its proposals component) and
    turn its most supported ideas into projects, as an agent does from the back-office: each project keeps the
    link to its idea, its author, and the idea's supporters as followers."""
    if space.components.filter(kind="budgets").exists():
        return
    component = _component(actor, space, "Projets du budget participatif", {
        key: {**value, "submissions_open": False}  # ideas are submitted as proposals
        for key, value in _step_settings(space).items()})
    budget = services.budget_create(
        actor=actor, component=component, name="Toute la ville", amount=300_000, ballot_kind="approval",
        max_choices=3, rule="greedy", description="Des projets pour toute la ville\u00a0: choisissez-en jusqu'à trois.")
    ideas = services.ideas_eligible(component)[:IDEAS_TO_PROJECTS]
    services.projects_from_ideas(actor=actor, component=component, budget=budget, keys=[i.key for i in ideas])


# An open vote: a visitor can try the ballot ----------------------------------------------------------------

OPEN_VOTE_SLUG = "budget-jeunesse-2026"
OPEN_VOTE_PROJECTS = [
    ("Un skatepark au jardin de la Ménagerie", "Une aire de glisse en béton, ouverte à tous les âges.", 45_000),
    ("Une salle de répétition pour les groupes de musique", "Un local insonorisé au sous-sol du centre culturel.",
     30_000),
    ("Des tables de ping-pong en plein air", "Quatre tables dans les parcs, en accès libre.", 12_000),
    ("Un mur d'escalade au gymnase", "Un mur de blocs pour les clubs et les scolaires.", 38_000),
    ("Des ateliers de réparation de vélos", "Un atelier mobile chaque samedi devant le lycée Lakanal.", 8_000),
]


@transaction.atomic
def demo_open_vote_load(*, actor, organisation) -> Space:
    """A small participatory budget of ORGANISATION whose vote is open now (from five days ago to three weeks
    from now, whatever the day the demo is loaded), its projects reviewed and on the ballot."""
    space = Space.objects.filter(organisation=organisation, slug=OPEN_VOTE_SLUG).first()
    if space is not None:
        return space
    today = timezone.localdate()
    space = space_create(
        actor=actor, organisation=organisation, title=f"Budget participatif jeunesse de {organisation.name}",
        slug=OPEN_VOTE_SLUG, summary="Le vote est ouvert\u00a0: choisissez les projets des jeunes pour la ville.",
        description=("Les jeunes ont proposé des projets\u00a0; les services les ont étudiés. Votez pour ceux que "
                     "vous préférez, en ligne ou en mairie."),
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=21))
    for title, description, start, end in [
        ("Dépôt des projets", "Les jeunes proposent leurs projets.", -60, -31),
        ("Étude par les services", "Recevabilité, faisabilité et coût.", -30, -6),
        ("Vote", "En ligne et en mairie.", -5, 21),
    ]:
        step_create(actor=actor, space=space, title=title, description=description,
                    start_date=today + timedelta(days=start), end_date=today + timedelta(days=end))
    component = _component(actor, space, "Projets", _step_settings(space))
    budget = services.budget_create(
        actor=actor, component=component, name="Projets jeunesse", amount=80_000, ballot_kind="approval",
        max_choices=2, rule="greedy", description="Les projets des jeunes que les services ont retenus.")
    authors = _voters(organisation, random.Random(2026), len(OPEN_VOTE_PROJECTS))
    projects = Project.objects.bulk_create([
        Project(component=component, budget=budget, title=title, text=f"<p>{text}</p>", estimated_cost=cost,
                author=author, commune=organisation)
        for (title, text, cost), author in zip(OPEN_VOTE_PROJECTS, authors, strict=True)])
    for project, (_title, _text, cost) in zip(projects, OPEN_VOTE_PROJECTS, strict=True):
        services.project_evaluate(actor=actor, project=project, eligibility="eligible", feasibility="feasible",
                                  cost_estimate=cost, public_answer="<p>Projet recevable et faisable.</p>")
    services.ballot_list_set(actor=actor, budget=budget, project_ids=[p.pk for p in projects])
    services.ballot_list_publish(actor=actor, budget=budget)
    space_publish(actor=actor, space=space)
    return space
