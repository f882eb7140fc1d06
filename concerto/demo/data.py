"""The demo: personas and a few real-looking participation spaces across the Métropole.

Everything goes through the same services as the pages, so the audit log and notifications are real.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from concerto.channels.demo import demo_load as channels_demo_load
from concerto.components.budgets.demo import demo_ideas_load as budgets_demo_ideas_load
from concerto.components.budgets.demo import demo_load as budgets_demo_load
from concerto.components.budgets.demo import demo_open_vote_load as budgets_demo_open_vote_load
from concerto.components.budgets.demo import demo_space as budgets_demo_space
from concerto.components.budgets.models import Project
from concerto.components.consultations.demo import demo_load as consultation_demo_load
from concerto.components.events.demo import demo_load as events_demo_load
from concerto.components.events.services import event_create, event_publish
from concerto.components.news.services import post_create
from concerto.components.opinions.demo import demo_load as opinions_demo_load
from concerto.components.polls.demo import demo_load as polls_demo_load
from concerto.components.proposals import services as proposals_services
from concerto.components.proposals.demo import demo_load as proposals_demo_load
from concerto.components.questions.demo import demo_load as questions_demo_load
from concerto.components.reports.demo import demo_load as reports_demo_load
from concerto.core.accountability.demo import demo_load as accountability_demo_load
from concerto.core.accounts.models import Role, User
from concerto.core.accounts.verification import verification_grant
from concerto.core.mobilisation.demo import demo_load as mobilisation_demo_load
from concerto.core.participation.services import comment_create, follow_add
from concerto.core.resources.demo import demo_load as resources_demo_load
from concerto.core.resources.demo import network_demo_load
from concerto.core.spaces.models import Space, Topic
from concerto.core.spaces.services import (
    component_add,
    component_publish,
    space_create,
    space_publish,
    step_create,
)
from concerto.core.territory.models import Organisation
from concerto.demo.quartiers import demo_load as quartiers_demo_load
from concerto.demo.verification import demo_load as verification_demo_load

DEMO_PASSWORD = "concerto-demo-2026"
# Every demo staff account uses this TOTP secret: add it to an authenticator app, or run
# `manage.py demo_totp_code EMAIL` to print the current code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

PERSONAS = [
    # email, public name, role, organisation slug
    ("admin@metropole.demo", "Nadia Belkacem", "admin", "metropole"),
    ("agent@sceaux.demo", "Julien Moreau", "agent", "sceaux"),
    ("elu@sceaux.demo", "Claire Dubois", "elected", "sceaux"),
    ("moderation@sceaux.demo", "Karim Haddad", "moderator", "sceaux"),
    ("agent@montreuil.demo", "Sophie Laurent", "agent", "montreuil"),
    ("habitant@sceaux.demo", "Camille Martin", None, None),
    ("habitante@saint-denis.demo", "Awa Diallo", None, None),
    # A member of Montreuil's Maison de quartier Lounès-Matoub, who comments « au nom de » it (mobilisation).
    ("asso@montreuil.demo", "Yasmina Benali", None, None),
]


def _user(email, name, role, org_slug) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"display_name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role:
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
        # Demo staff are enrolled (the demo's authenticator above), so their role is active at once: the
        # README's journeys need no enrolment link.
        Role.objects.get_or_create(user=user, organisation=Organisation.objects.get(slug=org_slug), kind=role,
                                   defaults={"activated_at": timezone.now()})
        Role.objects.filter(user=user).pending().update(activated_at=timezone.now())
    return user


def _space(actor, org_slug, *, title, slug, summary, description, days, steps, news, publish=True, scope=(),
           topics=()):
    organisation = Organisation.objects.get(slug=org_slug)
    today = timezone.localdate()
    space = space_create(
        actor=actor, organisation=organisation, title=title, slug=slug, summary=summary, description=description,
        start_date=today + timedelta(days=days[0]), end_date=today + timedelta(days=days[1]),
        scope=[Organisation.objects.get(slug=s) for s in scope], topics=Topic.objects.filter(slug__in=topics),
    )
    for title_, description_, start, end in steps:
        step_create(actor=actor, space=space, title=title_, description=description_,
                    start_date=today + timedelta(days=start), end_date=today + timedelta(days=end))
    component = component_add(actor=actor, space=space, kind="news", title="Actualités")
    for post_title, post_summary, body in news:
        post_create(author=actor, component=component, title=post_title, summary=post_summary, body=body,
                    publish=publish)
    if publish:
        component_publish(actor=actor, component=component)
        space_publish(actor=actor, space=space)
    return space


CLIMATE_ACTIONS = [
    ("Des fontaines à eau dans les gares", "Remplir sa gourde plutôt qu'acheter des bouteilles en plastique."),
    ("Végétaliser les cours d'école du territoire", "Des îlots de fraîcheur pour les enfants l'été."),
    ("Un réseau de pistes cyclables entre les communes", "Aller de Saint-Denis à Montreuil à vélo, en sécurité."),
]


def _climate_actions(actor, space, author) -> None:
    """The climate plan invites to propose actions: a published proposals component, open while contributions
    are (the step settings' defaults), with a few actions already proposed."""
    component = component_add(actor=actor, space=space, kind="proposals", title="Vos actions pour le climat")
    component_publish(actor=actor, component=component)
    for title, text in CLIMATE_ACTIONS:
        proposals_services.proposal_create(author=author, component=component, title=title, text=text)


@transaction.atomic
def demo_load() -> dict:
    """Create the demo once; running it again changes nothing."""
    users = {email: _user(email, name, role, org) for email, name, role, org in PERSONAS}
    channels_demo_load()  # Sceaux's demo Messenger page, Telegram bot and SMS number (concerto/channels/demo.py)
    if Space.objects.filter(slug="budget-participatif-2026", organisation__slug="sceaux").exists():
        _questions(users)  # also on an older demo (it loads once)
        _dialogue()
        _newsletter(users)
        _resource_centre(users["admin@metropole.demo"])  # also on an older demo (it loads once)
        network_demo_load(sceaux_actor=users["agent@sceaux.demo"], montreuil_actor=users["agent@montreuil.demo"])
        _themes()
        _birth_years()
        quartiers_demo_load()
        return {"users": len(users), "spaces": 0}
    metropole_admin = users["admin@metropole.demo"]
    sceaux_agent = users["agent@sceaux.demo"]
    montreuil_agent = users["agent@montreuil.demo"]

    budget = _space(
        sceaux_agent, "sceaux", title="Budget participatif 2026 de Sceaux", slug="budget-participatif-2026",
        topics=("democratie-locale", "espaces-verts-nature"),
        summary="300\u202f000\u00a0€ pour réaliser les projets que vous proposez pour la ville.",
        description=(
            "La Ville de Sceaux consacre 300\u202f000\u00a0€ de son budget d'investissement à des projets proposés et "
            "choisis par les habitants.\n\nProposez une idée, les services vérifient sa faisabilité et son coût, "
            "puis tout le monde vote, en ligne ou en mairie."
        ),
        days=(-20, 160),
        steps=[
            ("Dépôt des idées", "Chacun peut proposer une idée pour la ville.", -20, 25),
            ("Étude par les services", "Faisabilité et estimation du coût.", 26, 90),
            ("Vote", "En ligne et sur papier en mairie.", 91, 120),
            ("Réalisation", "Suivi des projets lauréats.", 121, 160),
        ],
        news=[
            ("Le dépôt des idées est ouvert", "Jusqu'à fin décembre, proposez vos projets pour Sceaux.",
             "Vous avez une idée pour rendre Sceaux plus verte, plus solidaire ou plus agréable\u00a0? Déposez-la "
             "jusqu'à la fin du mois de décembre. Une réunion publique aura lieu à l'hôtel de ville."),
            ("Réunion publique le 4 décembre", "Venez poser vos questions à l'équipe du budget participatif.",
             "Rendez-vous à 19 h à l'hôtel de ville, salle du conseil. Entrée libre."),
        ],
    )
    _space(
        sceaux_agent, "sceaux", title="Réaménagement du jardin de la Ménagerie", slug="jardin-de-la-menagerie",
        topics=("espaces-verts-nature",),
        summary="Imaginons ensemble le jardin de demain.", description="Concertation en préparation.",
        days=(30, 120), steps=[("Ateliers", "Ateliers sur place.", 30, 60)],
        news=[("Bientôt une concertation", "", "La concertation ouvrira au printemps.")], publish=False,
    )
    plu = _space(
        montreuil_agent, "montreuil", title="Révision du plan local d'urbanisme", slug="plan-local-urbanisme",
        topics=("urbanisme", "logement"),
        summary="Donnez votre avis sur l'avenir de Montreuil d'ici 2040.",
        description="Le PLU fixe les règles de construction dans la ville. Sa révision est ouverte à tous.",
        days=(-40, 80),
        steps=[("Diagnostic partagé", "", -40, -5), ("Ateliers de quartier", "", -4, 40),
               ("Enquête publique", "", 41, 80)],
        news=[("Les ateliers de quartier commencent", "Six ateliers, un par quartier.",
               "Inscrivez-vous aux ateliers de quartier pour discuter des règles de construction.")],
    )
    climate = _space(
        metropole_admin, "metropole", title="Plan climat métropolitain\u00a0: vos idées", slug="plan-climat",
        topics=("climat-energie", "mobilite"),
        summary="La Métropole révise son plan climat-air-énergie\u00a0: proposez des actions près de chez vous.",
        description="Une démarche métropolitaine, avec des rencontres dans plusieurs communes.",
        days=(-10, 90), steps=[("Contributions", "", -10, 60), ("Synthèse publique", "", 61, 90)],
        news=[("Lancement de la concertation", "", "La Métropole lance la révision de son plan climat.")],
        scope=["saint-denis", "montreuil", "sceaux", "creteil"],
    )
    proposals_demo_load(actor=sceaux_agent, space=budget)
    # The space invites to « proposer des actions »: it has the proposals component for it.
    _climate_actions(metropole_admin, climate, users["habitante@saint-denis.demo"])
    # Sceaux's 2026 budget: the most supported ideas became projects (the agents' bulk action).
    budgets_demo_ideas_load(actor=sceaux_agent, space=budget)
    # A vote open now, so that a visitor can try the ballot (as habitant@sceaux.demo, a verified resident).
    budgets_demo_open_vote_load(actor=sceaux_agent, organisation=Organisation.objects.get(slug="sceaux"))
    verification_grant(agent=sceaux_agent, user=users["habitant@sceaux.demo"],
                       organisation=Organisation.objects.get(slug="sceaux"), method="desk",
                       identity_hash="demo-habitant-sceaux")
    consultation_demo_load(actor=montreuil_agent, space=plu)
    budgets_demo_load(actor=montreuil_agent, space=budgets_demo_space(actor=montreuil_agent))
    events_demo_load(actor=sceaux_agent, space=budget)
    events_demo_load(actor=montreuil_agent, space=plu)
    opinions_demo_load(actor=montreuil_agent, space=plu)  # a debate on the local plan, with its groups
    events_demo_load(actor=metropole_admin, space=climate)
    reports_demo_load(actor=sceaux_agent)
    polls_demo_load(actor=sceaux_agent, space=budget)  # an open quick poll with answers, on Sceaux's page
    # After the other loads, so that every budget of Sceaux asks for a verification.
    verification_demo_load(actor=sceaux_agent, organisation=budget.organisation)
    resident = users["habitant@sceaux.demo"]
    follow_add(user=resident, target=budget)
    # The resident follows their commune, so that /mon-fil/ shows what is new there at the first sign-in.
    follow_add(user=resident, target=budget.organisation)
    for topic in Topic.objects.filter(slug__in=["climat-energie", "mobilite"]):
        follow_add(user=resident, target=topic)
    first_post = budget.components.get(kind="news").news_posts.order_by("published_at").first()
    comment_create(author=resident, target=first_post,
                   body=("Très bonne initiative\u00a0! "
                         "Pourra-t-on proposer des idées pour le quartier des Blagis\u00a0?"))
    _questions(users)
    _dialogue()
    _newsletter(users)
    # Decisions and actions (issue 16): after the proposals, reports and budgets they answer.
    accountability_demo_load(sceaux_actor=sceaux_agent, sceaux=budget.organisation, sceaux_space=budget)
    _resource_centre(metropole_admin)
    network_demo_load(sceaux_actor=sceaux_agent, montreuil_actor=montreuil_agent)

    # Concertation plans and actors (issue 18): Montreuil's PLU published, Sceaux's garden in preparation.
    mobilisation_demo_load(montreuil_actor=montreuil_agent, plu=plu, sceaux_actor=sceaux_agent,
                           menagerie=Space.objects.get(organisation__slug="sceaux", slug="jardin-de-la-menagerie"),
                           association_member=users["asso@montreuil.demo"],
                           behalf_target=next((project for project in Project.objects.filter(
                               component__space__organisation__slug="montreuil").order_by("pk")
                               if project.is_public), None))
    _themes()
    _birth_years()
    quartiers_demo_load()  # Sceaux's quartiers, one a QPV (illustrative), and its participants' quartier
    return {"users": len(users), "spaces": Space.objects.count()}


def _resource_centre(metropole_admin) -> None:
    """The Métropole's resource centre (issue 18): guides, five templates, and training sessions for agents as
    events of a Métropole space."""
    metropole = Organisation.objects.get(kind=Organisation.Kind.METROPOLE)
    resources_demo_load(actor=metropole_admin, metropole=metropole)
    if Space.objects.filter(organisation=metropole, slug="se-former").exists():
        return
    space = _space(
        metropole_admin, "metropole", title="Se former à la participation", slug="se-former",
        summary="Des formations pour les agents des communes : concevoir, animer, rendre compte.",
        description="La Métropole, centre de ressources, forme les agents des communes et des territoires.",
        days=(-5, 120), steps=[("Formations", "", -5, 120)],
        news=[("Le programme des formations", "", "Inscrivez-vous aux sessions en ligne et en présentiel.")])
    component = component_add(actor=metropole_admin, space=space, kind="events", title="Sessions de formation")
    component_publish(actor=metropole_admin, component=component)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for days, format_, title in ((14, "online", "Concevoir un budget participatif"),
                                 (35, "in_person", "Animer une marche exploratoire")):
        starts = now + timedelta(days=days, hours=10 - now.hour)
        event = event_create(
            actor=metropole_admin, component=component, kind="workshop", format=format_, title=title,
            description="Une session de formation du centre de ressources de la Métropole.", starts_at=starts,
            ends_at=starts + timedelta(hours=3), place_name="" if format_ == "online" else "Métropole du Grand Paris",
            online_url="https://visio.example.org/formation" if format_ == "online" else "", capacity=30,
            organiser="Centre de ressources de la Métropole")
        event_publish(actor=metropole_admin, event=event)


def _themes() -> None:
    """Themes of the proposals, projects and comments of Sceaux's budget (issue 17), so that an agent sees some at
    /gestion/sceaux/budget-participatif-2026/themes/; later contributions recompute them in the worker."""
    from concerto.core.texts.themes import recompute

    recompute(Space.objects.get(organisation__slug="sceaux", slug="budget-participatif-2026"))


def _dialogue() -> None:
    """Sceaux's dialogue figures (/gestion/sceaux/participation/dialogue/): the quick poll's respondents follow the
    commune since various months, some with a device for push or a weekly digest, and the digests of the last months
    are counted. Safe to run again."""
    from concerto.core.participation.digests import digest_subscription_set
    from concerto.core.participation.models import DigestSentCount, Follow, PushSubscription

    sceaux = Organisation.objects.get(slug="sceaux")
    people = list(User.objects.filter(email__endswith="@sceaux.demo", email__startswith="sondage").order_by("pk"))
    now = timezone.now()
    for number, person in enumerate(people):
        follow_add(user=person, target=sceaux)
        Follow.objects.filter(user=person, target_id=sceaux.pk, target_type__model="organisation").update(
            created_at=now - timedelta(days=25 * number))
        if number % 3 == 0:
            PushSubscription.objects.update_or_create(
                endpoint=f"https://push.invalid/demo/{person.pk}", defaults={"user": person, "p256dh": "demo",
                                                                           "auth": "demo"})
        if number % 2 == 0:
            digest_subscription_set(user=person, frequency="weekly")
    today = timezone.localdate()
    for weeks_ago in range(1, 30):
        DigestSentCount.objects.update_or_create(organisation=sceaux, day=today - timedelta(weeks=weeks_ago),
                                                 defaults={"count": 6 + (29 - weeks_ago) // 4})


def _newsletter(users) -> None:
    """Sceaux's first newsletter, sent to its followers (the demo resident gets it in /demo/courriels/), with a
    few opens and clicks, so that its archive (/sceaux/lettres/) and its figures show something."""
    from concerto.core.participation import newsletters
    from concerto.core.participation.models import Newsletter

    sceaux = Organisation.objects.get(slug="sceaux")
    if Newsletter.objects.filter(organisation=sceaux).exists():
        return
    choices = newsletters.newsletter_block_choices(sceaux)
    keys = [next(choice["key"] for choice in choices if choice["kind"] == kind)
            for kind in ("space", "agenda", "polls") if any(choice["kind"] == kind for choice in choices)]
    agent = users["agent@sceaux.demo"]
    newsletter = newsletters.newsletter_save(
        actor=agent, organisation=sceaux, subject="La lettre de Sceaux – décembre", block_keys=keys,
        body=("<p>Bonjour,</p><p>Le <strong>budget participatif 2026</strong> entre dans sa phase de vote\u00a0: "
              "300\u202f000\u00a0€ pour les projets que vous avez proposés. Un sondage express vous attend aussi "
              "sur la page de la commune.</p><p>Le détail des projets est sur "
              "<a href=\"https://www.sceaux.fr/\">le site de la ville</a>.</p>"))
    newsletters.newsletter_send(actor=agent, newsletter=newsletter)
    # Sent now rather than by the worker (each person once, whoever claims first), so the demo shows it sent.
    for delivery_id in newsletter.deliveries.values_list("pk", flat=True):
        newsletters.newsletter_deliver(newsletter=newsletter, delivery_id=delivery_id)
    newsletters.newsletter_schedule(newsletter.pk)  # nothing left: the issue is marked sent
    for _fetch in range(3):
        newsletters.newsletter_open_record(newsletter_id=newsletter.pk)
    for number in (1, 1, 2):
        newsletters.newsletter_link_follow(newsletter_id=newsletter.pk, number=number)


def _questions(users) -> None:
    """Sceaux's questions to elected officials; Claire Dubois (the demo's elected official) hosts two of the
    budget's events, so that her public profile lists them."""
    from concerto.components.events.models import Event

    official = users["elu@sceaux.demo"]
    Event.objects.filter(component__space__organisation__slug="sceaux",
                         component__space__slug="budget-participatif-2026",
                         title__in=["Réunion publique de lancement", "Réunion de restitution"]).update(
        organiser=f"{official.public_name}, adjointe au maire")
    questions_demo_load(actor=users["agent@sceaux.demo"], moderator=users["moderation@sceaux.demo"],
                        organisation=Organisation.objects.get(slug="sceaux"), official=official,
                        author=users["habitant@sceaux.demo"])


# The ages of the demo's residents, as people give them on their account (optional): older people take part more,
# as in most consultations, so the representativeness panel and /api/v1/insights/representativeness show a gap.
DEMO_AGES = (67, 34, 52, 71, 45, 29, 61, 58, 39, 74, 48, 23, 65, 55, 81, 42, 70, 36, 63, 50)


def _birth_years() -> None:
    """A year of birth for each demo resident who has none (made-up accounts and personas without a role), the same
    on every load (by account number). Safe to run again."""
    year = timezone.localdate().year
    residents = User.objects.filter(birth_year=None, roles__isnull=True).filter(
        Q(email__endswith="@demo.concerto.test") | Q(email__endswith=".demo")).order_by("pk")
    for person in residents.only("pk"):
        User.objects.filter(pk=person.pk).update(birth_year=year - DEMO_AGES[person.pk % len(DEMO_AGES)])
