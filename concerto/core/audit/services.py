"""`audit_record`: the one way to write the audit log (house rule 6: every state change writes an entry)."""

from django.contrib.contenttypes.models import ContentType

from concerto.core.audit.models import AuditEntry


def audit_record(*, actor, action: str, target=None, organisation=None,
                 data: dict | None = None) -> AuditEntry:
    """Write one audit entry for a state change."""
    if organisation is None and target is not None:
        organisation = getattr(target, "organisation", None)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        data=data or {},
    )
