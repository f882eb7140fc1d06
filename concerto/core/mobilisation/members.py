"""The accounts of an actor's members, who may contribute « au nom de » it (core/participation/behalf.py).

The flow, chosen as the simplest safe one: an agent of the commune (who manages spaces) adds an existing account
by its email from the actor's page; the link waits for the person, who confirms or declines it from their account
(« Mes organisations »), so nobody signs for an association they did not accept, and no agent can make someone
speak for an association without them. The person may leave at any time; an agent may remove a member. Every step is
audit-logged. Only the actor's public name is ever shown next to a contribution, never its contact persons.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core.accounts.models import User
from concerto.core.audit.services import audit_record
from concerto.core.mobilisation.models import Actor, ActorMember


def actors_of(user, organisation):
    """The actors of ORGANISATION's directory USER is a confirmed member of (the behalf provider)."""
    return Actor.objects.filter(organisation=organisation, members__user=user,
                                members__status=ActorMember.Status.CONFIRMED).order_by("name", "pk")


@transaction.atomic
def member_add(*, actor, item: Actor, email: str) -> ActorMember:
    """ACTOR (an agent) asks the account of EMAIL to join ITEM; it waits for the person's confirmation."""
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        raise ValidationError({"email": [_("No account uses this address: ask the person to create one on the "
                                           "site first, with this address.")]})
    try:
        with transaction.atomic():
            member = ActorMember.objects.create(actor=item, user=user, added_by=actor)
    except IntegrityError:
        raise ValidationError({"email": [_("This person is already a member of this actor, or asked to be.")]}) \
            from None
    audit_record(actor=actor, action="mobilisation.actor_member_added", target=item, organisation=item.organisation,
                 data={"member": member.pk})
    return member


@transaction.atomic
def member_confirm(*, user, member: ActorMember) -> ActorMember:
    """USER accepts to contribute on behalf of the actor that asked them."""
    if member.user_id != user.pk:
        raise ValidationError(_("This invitation is not yours."))
    if member.status != ActorMember.Status.CONFIRMED:
        member.status, member.confirmed_at = ActorMember.Status.CONFIRMED, timezone.now()
        member.save(update_fields=["status", "confirmed_at"])
        audit_record(actor=user, action="mobilisation.actor_member_confirmed", target=member.actor,
                     organisation=member.actor.organisation, data={"member": member.pk})
    return member


@transaction.atomic
def member_leave(*, user, member: ActorMember) -> None:
    """USER leaves the actor (or declines its invitation). What they already signed stays signed."""
    if member.user_id != user.pk:
        raise ValidationError(_("This invitation is not yours."))
    audit_record(actor=user, action="mobilisation.actor_member_left", target=member.actor,
                 organisation=member.actor.organisation, data={"member": member.pk})
    member.delete()


@transaction.atomic
def member_remove(*, actor, member: ActorMember) -> None:
    """ACTOR (an agent) removes a member, or withdraws an invitation."""
    audit_record(actor=actor, action="mobilisation.actor_member_removed", target=member.actor,
                 organisation=member.actor.organisation, data={"member": member.pk})
    member.delete()


def memberships_of(user):
    return ActorMember.objects.filter(user=user).select_related("actor", "actor__organisation").order_by("pk")


def export_personal_data(user) -> dict:
    return {"actor_memberships": [
        {"actor": member.actor.name, "organisation": member.actor.organisation.name, "status": member.status,
         "since": member.created_at.isoformat(),
         "confirmed_at": member.confirmed_at.isoformat() if member.confirmed_at else None}
        for member in memberships_of(user)]}


def erase_personal_data(user) -> dict:
    """The person's links to actors go; their contributions stay as the ledger keeps them (participation's privacy
    drops the « au nom de » with the author)."""
    deleted, _count = ActorMember.objects.filter(user=user).delete()
    return {"actor_memberships_deleted": deleted} if deleted else {}
