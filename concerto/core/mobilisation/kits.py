"""Print kits (issue 18): a poster or flyers for a page of the organisation's site, each with its own short link
(`links.py`) printed as a QR code and written out in full. The pages a kit can be for are found without importing
any component: the organisation's published spaces, its events still to come (the kernel's agenda hook) and its
published reports services (components of kind « reports », through their own URL)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from concerto.core import registry
from concerto.core.audit.services import audit_record
from concerto.core.french import day_and_hour
from concerto.core.mobilisation import links
from concerto.core.mobilisation.models import KitTarget, PrintKit, ShortLink
from concerto.core.spaces.models import Component, Space

REPORTS_KIND = "reports"


@dataclass(frozen=True)
class Target:
    """A page a kit can be for: KEY names it in a form, PATH is its address on this site, TEXT and WHEN prefill
    the kit's text and its date and place line."""

    key: str
    kind: str
    label: str
    path: str
    title: str
    text: str = ""
    when: str = ""

    def get_kind_display(self) -> str:
        return str(KitTarget(self.kind).label)


def kit_targets(organisation) -> list[Target]:
    """The pages of ORGANISATION a kit can be made for, spaces first."""
    targets = []
    spaces = Space.objects.filter(organisation=organisation, status=Space.Status.PUBLISHED).order_by("title")
    for space in spaces:
        targets.append(Target(f"space:{space.pk}", KitTarget.SPACE, space.title, space.get_absolute_url(),
                              space.title, space.summary))
    for item in registry.agenda_items(organisation, upcoming=True, limit=50):
        when = day_and_hour(item.starts_at)
        targets.append(Target(f"event:{item.url}", KitTarget.EVENT, f"{item.title} ({when})", item.url, item.title,
                              _("Come and take part: the meeting is open to everyone."),
                              f"{when} · {item.place}" if item.place else when))
    if REPORTS_KIND in {manifest.name for manifest in registry.components()}:
        services = (Component.objects.filter(kind=REPORTS_KIND, published=True, space__organisation=organisation,
                                             space__status=Space.Status.PUBLISHED)
                    .select_related("space__organisation").order_by("space__title", "position", "pk"))
        for component in services:
            targets.append(Target(
                f"reports:{component.pk}", KitTarget.REPORTS, f"{component.title} ({component.space.title})",
                component.get_absolute_url(), _("Report a problem in your street"),
                _("A pothole, a broken street light, rubbish left behind? Tell the town, and follow what is done.")))
    return targets


def target_of(organisation, key: str) -> Target | None:
    return next((target for target in kit_targets(organisation) if target.key == key), None)


def kit_create(*, actor, organisation, target: Target, format: str, title: str, text: str = "",
               when: str = "") -> PrintKit:
    """A print kit of ORGANISATION for TARGET, with its short link; audit-logged."""
    with transaction.atomic():
        link = links.short_link_create(organisation=organisation, target=target.path,
                                       source_kind=ShortLink.Source.KIT, label=title, created_by=actor)
        kit = PrintKit.objects.create(organisation=organisation, target_kind=target.kind,
                                      target_label=target.label[:200], format=format, title=title, text=text,
                                      when=when, link=link, created_by=actor)
        link.source_id = kit.pk
        link.save(update_fields=["source_id"])
        audit_record(actor=actor, action="mobilisation.kit_created", target=kit, organisation=organisation,
                     data={"format": format, "target": target.path, "code": link.code})
    return kit


def kit_delete(*, actor, kit: PrintKit) -> None:
    """Remove KIT and its short link (the printed code then leads to the « not found » page)."""
    with transaction.atomic():
        audit_record(actor=actor, action="mobilisation.kit_deleted", target=kit, organisation=kit.organisation,
                     data={"code": kit.link.code})
        kit.link.delete()


def kits_with_visits(organisation) -> list[tuple[PrintKit, int, int, int, int]]:
    """ORGANISATION's kits, each with its scans in all and in the last 30 days, and the contributions and people it
    brought (links.brought_by)."""
    kits = list(PrintKit.objects.filter(organisation=organisation).select_related("link"))
    counts = links.visits_of([kit.link for kit in kits])
    brought = links.brought_by(ShortLink.Source.KIT, [kit.pk for kit in kits])
    return [(kit, *counts[kit.link_id], *brought[kit.pk]) for kit in kits]
