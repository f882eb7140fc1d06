"""Demo content: a published events component with eight events in the space's communes. Past ones have
published minutes and notes from the room entered into the space's proposals (when it has some); upcoming
ones have registrations and, for one, a waitlist; a hybrid debate is on now, with its live board open.

Events and registrations are written directly (the events are in the past, where registering is closed);
minutes and room contributions go through minutes.py, so the ledger and the audit log are real."""

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from concerto.components.events import minutes as services
from concerto.components.events.models import Audience, BoardPost, Event, Registration
from concerto.components.events.services import event_feed_record
from concerto.core.spaces.services import component_add, component_publish
from concerto.core.territory.models import Organisation

TITLE = "Rencontres et ateliers"
PEOPLE = ["Aïcha Benali", "Bruno Lefèvre", "Claire Fontaine", "Diego Martins", "Élise Garnier", "Farid Haddad",
          "Gaëlle Morin", "Henri Colin", "Inès Carpentier", "Julien Roy", "Karima Saïdi", "Louis Perrin",
          "Maëlle Giraud", "Noah Chevalier"]
# Ages of the people above (years), for the figures on audiences; None: not given.
AGES = [24, 52, 31, 19, 67, 45, None, 72, 28, 33, None, 41, 22, 58]
K, F = Event.Kind, Event.Format
# (days from now, hours, kind, format, title, place, audiences, capacity)
EVENTS = [
    (-21, 2, K.PUBLIC_MEETING, F.IN_PERSON, "Réunion publique de lancement", "Salle du conseil, hôtel de ville",
     [Audience.EVERYONE], None),
    (-14, 3, K.WORKSHOP, F.IN_PERSON, "Atelier post-it\u00a0: vos idées pour le quartier", "Maison des associations",
     [Audience.YOUNG_ADULTS], 30),
    (-7, 2, K.STAND, F.IN_PERSON, "Stand au marché du samedi", "Place du marché", [Audience.FAMILIES], None),
    (-3, 2, K.DEBATE, F.ONLINE, "Débat en ligne\u00a0: se déplacer autrement", "", [Audience.EVERYONE], None),
    (0, 2, K.DEBATE, F.HYBRID, "Débat hybride\u00a0: quelles priorités\u00a0?", "Médiathèque", [Audience.EVERYONE], 40),
    (6, 2, K.WORKSHOP, F.IN_PERSON, "Atelier cartographie des usages", "École élémentaire du centre",
     [Audience.FAMILIES], 10),
    (12, 2, K.WALK, F.IN_PERSON, "Balade urbaine commentée", "Départ devant la gare", [Audience.SENIORS], 25),
    (20, 2, K.PUBLIC_MEETING, F.HYBRID, "Réunion de restitution", "Salle des fêtes", [Audience.EVERYONE], None),
]
NOTES = [
    ("Plus de bancs à l'ombre", "Des bancs sous les arbres le long de l'avenue, pour faire une pause."),
    ("Un abri à vélos sécurisé", "Fermé, près de la gare, avec des prises pour les vélos électriques."),
    ("Des toilettes publiques", "Propres et accessibles, près du marché."),
    ("Un coin pour les ados", "Un endroit abrité où se retrouver le soir, avec des bancs et de la lumière."),
    ("Moins de voitures devant l'école", "Fermer la rue aux voitures aux heures d'entrée et de sortie."),
    ("Un marché le soir", "Un marché de producteurs le jeudi soir pour ceux qui travaillent."),
]
MINUTES = (
    "Merci aux {count} personnes venues échanger avec l'équipe de la ville.\n\n"
    "Les participants ont surtout parlé de l'ombre et de la fraîcheur en été, de la place des vélos et "
    "de la sécurité aux abords des écoles. Les idées écrites sur les post-it ont été saisies dans la "
    "démarche\u00a0: vous pouvez les lire et les soutenir comme les autres.\n\n"
    "Prochaine étape\u00a0: les services étudient les propositions et présenteront leur analyse à la réunion "
    "de restitution."
)
BOARD = [("question", "Quand les travaux commenceraient-ils\u00a0?", 7), ("opinion", "Il faut plus d'arbres.", 12),
         ("question", "Le budget comprend-il l'entretien\u00a0?", 4)]


def _code() -> str:
    return "D" + secrets.token_hex(6).upper()


def _people(residence):
    users = get_user_model().objects
    year = timezone.now().year
    people = []
    for number, name in enumerate(PEOPLE):
        email = f"rencontres.{slugify(name)}@demo.concerto.test"
        user = users.filter(email=email).first()
        if user is None:
            age = AGES[number]
            user = users.create_user(email=email, password=None, display_name=name, residence=residence,
                                     birth_year=year - age if age else None)
        people.append(user)
    return people


def _communes(space):
    communes = list(space.scope.filter(kind=Organisation.Kind.COMMUNE).order_by("name"))
    if space.organisation.is_commune:
        communes.insert(0, space.organisation)
    return communes or [None]


@transaction.atomic
def demo_load(*, actor, space) -> Event | None:
    """Add a published events component to SPACE with eight events. Does nothing if SPACE already has one."""
    if space.components.filter(kind="events").exists():
        return None
    component = component_add(actor=actor, space=space, kind="events", title=TITLE)
    component_publish(actor=actor, component=component)
    ideas = space.components.filter(kind="proposals").first()
    survey = space.components.filter(kind="consultations").first()
    communes = _communes(space)
    people = _people(communes[0])
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    registrations = []
    events = []
    for number, (days, hours, kind, format, title, place, audiences, capacity) in enumerate(EVENTS):
        starts = now + timedelta(days=days, hours=18 - now.hour) if days else now - timedelta(minutes=30)
        commune = communes[number % len(communes)]
        event = Event.objects.create(
            component=component, kind=kind, format=format, title=title, starts_at=starts,
            ends_at=starts + timedelta(hours=hours), place_name=place if format != F.ONLINE else "",
            commune=commune if format != F.ONLINE else None, audiences=list(audiences), capacity=capacity,
            description=f"{title}\u00a0: venez avec vos questions et vos idées.",
            online_url="https://visio.example.org/demo-concerto" if format != F.IN_PERSON else "",
            step_free_access=number % 2 == 0, induction_loop=number % 3 == 0, languages=["fr"],
            organiser="Service démocratie locale", published=True, live_board_open=days == 0,
            contributions_component=ideas or survey, registration_enabled=capacity is not None or format != F.IN_PERSON,
        )
        events.append(event)
        event_feed_record(event=event)
        past = event.ends_at <= timezone.now()
        # Upcoming ones fill up to their capacity (and one has a waitlist); past ones had people check in.
        count = min(len(people), (capacity or 12) + (3 if capacity == 10 else 0))
        for index, person in enumerate(people[:count]):
            waitlisted = capacity is not None and index >= capacity
            online = format == F.ONLINE or (format == F.HYBRID and index % 3 == 0)
            came = (past or days == 0) and not waitlisted and index % 5 != 4
            registrations.append(Registration(
                event=event, user=person, code=_code(), residence=person.residence, birth_year=person.birth_year,
                status=Registration.Status.WAITLISTED if waitlisted else Registration.Status.CONFIRMED,
                attendance=Registration.Attendance.ONLINE if online else Registration.Attendance.IN_PERSON,
                checked_in_at=starts + timedelta(minutes=5) if came else None, checked_in_by=actor if came else None))
        if past and format != F.ONLINE:
            registrations += [Registration(event=event, name=f"Sur place {n + 1}", walk_in=True, code=_code(),
                                           checked_in_at=starts + timedelta(minutes=20), checked_in_by=actor)
                              for n in range(2 + number)]
    Registration.objects.bulk_create(registrations)
    for event in events:
        if event.ends_at > timezone.now():
            continue
        counts = services.checked_in_counts(event)
        minutes = services.minutes_save(
            actor=actor, event=event, text=MINUTES.format(count=counts["in_person"] + counts["online"]),
            attendees_in_person=counts["in_person"] + (3 if event.format != F.ONLINE else 0),
            attendees_online=counts["online"])
        services.minutes_publish(actor=actor, minutes=minutes)
    if ideas is not None:
        workshop = events[1]
        for title, text in NOTES:
            if not _room_enter(actor=actor, event=workshop, data={"title": title, "text": text}):
                break  # submissions closed in this space: the notes stay on paper
    elif survey is not None:
        _paper_answers(actor=actor, event=events[1], survey=survey)
    live = events[4]
    for kind, text, votes in BOARD:
        BoardPost.objects.create(event=live, kind=kind, text=text, author_key=f"demo:{secrets.token_hex(4)}",
                                 vote_count=votes)
    return live


def _room_enter(*, actor, event, data: dict) -> bool:
    """Type DATA into the room form of the event's target component, as an organiser would; False if refused."""
    from django.core.exceptions import ValidationError
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.update(data)
    form = services.room_entry(event.contributions_component).form(event.contributions_component, query)
    if not form.is_valid():
        return False
    try:
        services.room_contribution_enter(actor=actor, event=event, values=form.room_values())
    except (ValidationError, services.MinutesError):
        return False
    return True


def _paper_answers(*, actor, event, survey) -> None:
    """Eight paper questionnaires filled in at the workshop: every one-choice question answered, in turn (the
    first choice when that answer needs more, such as an "other" to specify)."""
    from django import forms

    empty = services.room_entry(survey).form(survey, None)
    singles = [(name, [value for value, _label in field.choices if value != ""])
               for name, field in empty.fields.items()
               if isinstance(field, forms.TypedChoiceField) and isinstance(field.widget, forms.RadioSelect)]
    singles = [(name, values) for name, values in singles if values]
    if not singles:
        return
    for number in range(8):
        data = {name: values[(number * 7 + index) % len(values)] for index, (name, values) in enumerate(singles)}
        if not _room_enter(actor=actor, event=event, data=data):
            _room_enter(actor=actor, event=event, data={name: values[0] for name, values in singles})