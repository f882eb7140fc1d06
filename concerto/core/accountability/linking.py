"""What components use to declare the items a decision may answer (their manifests' `linkables`)."""

from django.db.models import Q


def items_matching(queryset, *, organisation_field: str, text_fields: tuple[str, ...], organisation_ids,
                   query: str):
    """QUERYSET's items of ORGANISATION_IDS (through ORGANISATION_FIELD) whose TEXT_FIELDS hold QUERY (a number
    also finds the item of that id), the most recent first."""
    items = queryset.filter(**{f"{organisation_field}__in": list(organisation_ids)})
    query = (query or "").strip()
    if query:
        match = Q()
        for name in text_fields:
            match |= Q(**{f"{name}__icontains": query})
        if query.isdigit():
            match |= Q(pk=int(query))
        items = items.filter(match)
    return items.order_by("-pk")
