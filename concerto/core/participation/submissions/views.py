"""What the public pages of every kind of submission share: the GeoJSON of a list's map."""

import json

from django.http import HttpResponse


def submission_points(submissions, *, limit: int, url_of, only: str = "", properties=None) -> HttpResponse:
    """The located SUBMISSIONS (a queryset, in the list's order) as a GeoJSON FeatureCollection: at most LIMIT
    points, the first ones, `truncated` saying when some are left out. Each point has its `title`, its page
    (`url`: URL_OF(pk)) and PROPERTIES ({name in the GeoJSON: field}). ONLY, an id typed in the URL, keeps
    that one submission (the map of its page); an id that is not a number gives no point."""
    if only:
        submissions = (submissions.filter(pk=int(only)) if only.isdigit() and len(only) < 12
                       else submissions.none())
    properties = properties or {}
    located = list(submissions.filter(latitude__isnull=False, longitude__isnull=False)
                   .values_list("id", "title", "latitude", "longitude", *properties.values())[:limit + 1])
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
         "properties": {"title": title, "url": url_of(pk), **dict(zip(properties, values, strict=True))}}
        for pk, title, lat, lng, *values in located[:limit]
    ]
    body = {"type": "FeatureCollection", "features": features, "truncated": len(located) > limit, "limit": limit}
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/geo+json")
