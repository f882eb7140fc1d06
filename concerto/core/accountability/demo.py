"""The demo's decisions and actions (`manage.py load_demo`): Sceaux answers proposals and reports. (Montreuil's 2025
budget has the actions of its winning projects at every stage, one late, one done with photos: the budgets demo
makes them through the budgets' follow-up.)"""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concerto.core.accountability import services
from concerto.core.accountability.models import Decision


def demo_photo(colour) -> SimpleUploadedFile:
    """A small JPEG of one COLOUR, for the photos of the demo's actions."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), colour).save(buffer, format="JPEG")
    return SimpleUploadedFile("chantier.jpg", buffer.getvalue(), content_type="image/jpeg")


def _answer(actor, decision, candidates, statuses) -> None:
    for candidate, (status, explanation) in zip(candidates, statuses, strict=False):
        target = services.linkable_get(content_type_id=candidate.content_type_id, object_id=candidate.id)
        services.decision_link_add(actor=actor, decision=decision, target=target, status=status,
                                   explanation=explanation)


def demo_load(*, sceaux_actor, sceaux, sceaux_space) -> int:
    """Load the decisions once (nothing when Sceaux already has one). Returns how many decisions it made."""
    if Decision.objects.filter(organisation=sceaux).exists():
        return 0
    today = timezone.localdate()
    decision = services.decision_create(
        actor=sceaux_actor, organisation=sceaux, space=sceaux_space, title="Plan « Sceaux nature » 2026",
        text="Le conseil municipal adopte le plan de végétalisation issu des idées des habitants.",
        decided_on=today - datetime.timedelta(days=40), body=Decision.Body.MUNICIPAL_COUNCIL,
        deliberation_number="2026-041")
    _answer(sceaux_actor, decision, services.linkable_search(decision=decision, kind="proposals.Proposal")[:3], [
        ("adopted", "Retenue\u00a0: les plantations commencent au printemps."),
        ("partly", "Retenue en partie\u00a0: deux écoles d’abord, les autres en 2027."),
        ("not_adopted", "Non retenue\u00a0: le terrain appartient au département."),
    ])
    services.action_create(actor=sceaux_actor, decision=decision, title="Planter 40 arbres dans les cours d’école",
                           stage="studies", progress=20, budget_planned=Decimal("48000"),
                           planned_end=today + datetime.timedelta(days=200), service="Espaces verts")
    reports = services.decision_create(
        actor=sceaux_actor, organisation=sceaux, title="Réfection des trottoirs de la rue Houdan",
        text="Le maire engage la réfection des trottoirs signalés par les habitants.",
        decided_on=today - datetime.timedelta(days=20), body=Decision.Body.MAYOR)
    _answer(sceaux_actor, reports, services.linkable_search(decision=reports, kind="reports.Report")[:2], [
        ("adopted", "Les trottoirs seront refaits cet été."),
        ("planned", "Déjà prévu dans le programme de voirie."),
    ])
    return 2
