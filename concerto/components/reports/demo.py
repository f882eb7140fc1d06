"""Demo data for citizen reports: Sceaux's "Signaler un problème" space with its services, categories and a
few months of reports in every state (see concerto/demo/data.py)."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from concerto.components.reports import services, workflow
from concerto.components.reports.models import Report
from concerto.core.geocoding import demo_address
from concerto.core.spaces.models import Space
from concerto.core.spaces.services import component_add, component_publish, space_create, space_publish, step_create
from concerto.core.territory.models import Organisation

SPACE_SLUG = "signaler"
CENTRE = (48.7776, 2.2903)  # Sceaux's town hall

# service -> [(code, category, group, extra question)]
CATALOGUE = {
    "Voirie et propreté": [
        ("voirie", "Chaussée ou trottoir abîmé", "Voirie", None),
        ("proprete", "Dépôt sauvage ou saleté", "Propreté", None),
        ("graffiti", "Tag ou graffiti", "Propreté", None),
    ],
    "Éclairage public": [
        ("eclairage", "Lampadaire en panne", "Éclairage",
         ("numero", "Numéro inscrit sur le lampadaire (s’il y en a un)", "string", False)),
    ],
    "Parcs et jardins": [
        ("espaces-verts", "Parc, arbre ou jardin", "Espaces verts", None),
    ],
}
DESCRIPTIONS = {
    "voirie": ["Nid-de-poule dangereux pour les vélos.", "Trottoir soulevé par les racines.",
               "Bordure cassée devant l’école."],
    "proprete": ["Encombrants déposés depuis trois jours.", "Sacs poubelle éventrés sur le trottoir."],
    "graffiti": ["Tag sur le mur de la médiathèque.", "Graffiti sur l’abribus."],
    "eclairage": ["Le lampadaire ne s’allume plus le soir.", "Éclairage qui clignote toute la nuit."],
    "espaces-verts": ["Branche cassée au-dessus de l’allée.", "Merci pour les nouveaux massifs fleuris\u00a0!",
                      "Proposition\u00a0: installer des bancs à l’ombre."],
}
PUBLIC_ANSWERS = {
    "resolved": "L’intervention a eu lieu. Merci de votre signalement.",
    "rejected": "Ce lieu relève du Département\u00a0: nous lui avons transmis votre signalement.",
}


def demo_load(*, actor) -> None:
    """Create the space, its reports component, Sceaux's catalogue and about sixty reports (once). The demo's
    reporters have made-up addresses: their emails are kept in memory instead of printed."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        _load(actor=actor)


def _load(*, actor) -> None:
    sceaux = Organisation.objects.get(slug="sceaux")
    if Space.objects.filter(organisation=sceaux, slug=SPACE_SLUG).exists():
        return
    rng = random.Random(311)
    today = timezone.localdate()
    with transaction.atomic():
        space = space_create(
            actor=actor, organisation=sceaux, title="Signaler un problème à Sceaux", slug=SPACE_SLUG,
            summary="Un lampadaire en panne, un trottoir abîmé, un service à féliciter\u00a0: dites-le à la Ville.",
            description="Chaque signalement va au service concerné\u00a0; vous suivez ce qu’il devient.",
            start_date=today - timedelta(days=365), end_date=today + timedelta(days=3 * 365))
        step_create(actor=actor, space=space, title="Signalements", description="Toute l’année.",
                    start_date=today - timedelta(days=365), end_date=today + timedelta(days=3 * 365))
        space_publish(actor=actor, space=space)
        component = component_add(actor=actor, space=space, kind="reports", title="Signalements")
        component_publish(actor=actor, component=component)
        categories = []
        for service_name, entries in CATALOGUE.items():
            service = workflow.service_create(actor=actor, organisation=sceaux, name=service_name)
            for position, (code, name, group, question) in enumerate(entries):
                category = workflow.category_create(actor=actor, organisation=sceaux, code=code, name=name,
                                                    group=group, service=service, position=position, active=True)
                if question:
                    qcode, label, datatype, required = question
                    workflow.category_question_create(actor=actor, category=category, code=qcode, label=label,
                                                      datatype=datatype, required=required)
                categories.append(category)
    resident = get_user_model().objects.filter(email="habitant@sceaux.demo").first()
    created = []
    while len(created) < 60:
        category = rng.choice(categories)
        kind = "malfunction"
        text = rng.choice(DESCRIPTIONS[category.code])
        if text.startswith("Merci"):
            kind = "congratulation"
        elif text.startswith("Proposition"):
            kind = "proposal"
        latitude = CENTRE[0] + rng.uniform(-0.008, 0.008)
        longitude = CENTRE[1] + rng.uniform(-0.012, 0.012)
        author = resident if rng.random() < 0.4 else None
        try:
            report = services.report_create(
                author=author, component=component, category=category, kind=kind, latitude=latitude,
                longitude=longitude, description=text, answers={},
                address=demo_address(latitude, longitude, component.space.organisation.name),
                email="" if author else f"habitant{len(created)}@demo.concerto.test")
        except ValidationError:
            continue  # the random point fell outside Sceaux
        created.append(report)
    for report in created:
        days_ago = rng.randint(0, 180)
        fate = rng.random()
        with transaction.atomic():
            if fate < 0.8 and days_ago > 2:
                workflow.report_transition(actor=actor, report=report, status="acknowledged")
            if fate < 0.6 and days_ago > 7:
                workflow.report_transition(actor=actor, report=report, status="resolved",
                                           public_text=PUBLIC_ANSWERS["resolved"])
            elif 0.6 <= fate < 0.68 and days_ago > 7:
                workflow.report_transition(actor=actor, report=report, status="rejected",
                                           reason=PUBLIC_ANSWERS["rejected"])
            elif 0.68 <= fate < 0.8 and days_ago > 2:
                workflow.report_transition(actor=actor, report=report, status="in_progress")
        # Spread the reports over six months, so that the dashboard has a history.
        created_at = timezone.now() - timedelta(days=days_ago, hours=rng.randint(0, 12))
        report.refresh_from_db()
        resolved_at = (created_at + timedelta(days=rng.randint(1, 6)) if report.resolved_at else None)
        Report.objects.filter(pk=report.pk).update(
            created_at=created_at, acknowledged_at=(created_at + timedelta(days=1)) if report.acknowledged_at else None,
            resolved_at=resolved_at)
        # Its history follows: « Nouveau » when it was sent, the answer when it was resolved, the rest a day on.
        report.history.filter(status="new").update(created_at=created_at)
        report.history.exclude(status="new").update(created_at=created_at + timedelta(days=1))
        if resolved_at:
            report.history.filter(status="resolved").update(created_at=resolved_at)
