"""The map and nearby queries: single reports or clusters within 500 features, filters, hidden reports."""

import math
import secrets

import pytest
from django.utils import timezone

from concerto.components.reports import queries
from concerto.components.reports.models import Category, Report

CENTRE = (48.7745, 2.2990)
BOX = (2.28, 48.76, 2.32, 48.79)  # west, south, east, north around CENTRE


@pytest.fixture
def pothole(sceaux):
    return Category.objects.create(organisation=sceaux, code="nid-de-poule", name="Nid-de-poule")


@pytest.fixture
def tags(sceaux):
    return Category.objects.create(organisation=sceaux, code="tags", name="Tags")


def bulk(category, points, **fields):
    Report.objects.bulk_create([
        Report(organisation=category.organisation, category=category, latitude=lat, longitude=lon,
               token=secrets.token_urlsafe(16), **fields) for lat, lon in points])


def grid(count, south=48.765, west=2.285, step=0.0008):
    side = math.ceil(math.sqrt(count))
    return [(south + (i // side) * step, west + (i % side) * step) for i in range(count)]


def test_few_reports_come_one_by_one_with_their_page(sceaux, pothole):
    bulk(pothole, [CENTRE, (48.775, 2.30)])
    bulk(pothole, [(48.776, 2.301)], hidden_at=timezone.now())
    bulk(pothole, [(48.90, 2.40)])  # outside the box
    result = queries.map_features(organisation_ids=[sceaux.pk], bbox=BOX, zoom=12, filters={})
    assert result["type"] == "FeatureCollection" and result["clustered"] is False
    assert len(result["features"]) == 2
    feature = result["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["category"] == "Nid-de-poule" and feature["properties"]["status"] == "new"
    assert feature["properties"]["url"] == f"/signalements/{feature['properties']['id']}/"


def test_many_reports_at_low_zoom_become_clusters_that_count_them_all(sceaux, pothole):
    bulk(pothole, grid(900))
    result = queries.map_features(organisation_ids=[sceaux.pk], bbox=BOX, zoom=13, filters=None)
    assert result["clustered"] is True
    assert 1 < len(result["features"]) <= queries.MAX_FEATURES
    assert sum(f["properties"]["count"] for f in result["features"]) == 900
    for feature in result["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert BOX[0] <= lon <= BOX[2] and BOX[1] <= lat <= BOX[3]


def test_a_street_zoom_shows_single_reports_capped_at_500(sceaux, pothole):
    bulk(pothole, grid(600, step=0.00001))
    result = queries.map_features(organisation_ids=None, bbox=BOX, zoom=18, filters={})
    assert result["clustered"] is False and len(result["features"]) == 500


def test_filters_by_category_status_and_commune(sceaux, montreuil, pothole, tags):
    bulk(pothole, [CENTRE])
    bulk(tags, [CENTRE], status=Report.Status.RESOLVED)
    box = ",".join(str(v) for v in BOX)

    def count(organisation_ids=None, **filters):
        result = queries.map_features(organisation_ids=organisation_ids, bbox=box, zoom=15, filters=filters)
        return len(result["features"])

    assert count() == 2
    assert count(category=[tags.pk]) == 1
    assert count(status="open") == 1 and count(status="closed") == 1
    assert count(kind="proposal") == 0
    assert count(organisation_ids=[montreuil.pk]) == 0


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "nan,1,2,3", None])
def test_a_malformed_box_is_refused(db, bbox):
    with pytest.raises(queries.BadQuery):
        queries.map_features(organisation_ids=None, bbox=bbox, zoom=12, filters={})


def test_nearby_open_gives_same_category_open_reports_nearest_first(sceaux, pothole, tags):
    lat, lon = CENTRE
    metre = 1 / 111_195  # one metre of latitude in degrees
    bulk(pothole, [(lat + 30 * metre, lon)], description="à 30 m")
    bulk(pothole, [(lat + 10 * metre, lon)], description="à 10 m")
    bulk(pothole, [(lat + 80 * metre, lon)], description="à 80 m")
    bulk(pothole, [(lat + 5 * metre, lon)], description="fermé", status=Report.Status.RESOLVED)
    bulk(pothole, [(lat + 5 * metre, lon)], description="masqué", hidden_at=timezone.now())
    bulk(tags, [(lat + 1 * metre, lon)], description="autre catégorie")
    found = queries.nearby_open(category=pothole, latitude=lat, longitude=lon, radius_m=50)
    assert [r.description for r in found] == ["à 10 m", "à 30 m"]
    assert round(found[0].distance_m) == 10
    assert len(queries.nearby_open(category=pothole.pk, latitude=lat, longitude=lon, radius_m=100, limit=1)) == 1


def test_nearby_uses_the_real_distance_not_the_box_corner(sceaux, pothole):
    lat, lon = CENTRE
    # 40 m north and 40 m east: inside the 50 m box, but 57 m away.
    dlat = 40 / 111_195
    dlon = dlat / math.cos(math.radians(lat))
    bulk(pothole, [(lat + dlat, lon + dlon)])
    assert queries.nearby_open(category=pothole, latitude=lat, longitude=lon, radius_m=50) == []


def counts_by_cluster(result):
    return sum(f["properties"].get("count", 1) for f in result["features"])


def test_clusters_follow_hiding_status_changes_moves_and_deletions(sceaux, pothole):
    bulk(pothole, grid(700))
    whole = {"organisation_ids": [sceaux.pk], "bbox": BOX, "zoom": 12}
    assert counts_by_cluster(queries.map_features(**whole, filters={})) == 700
    first, second, third = Report.objects.order_by("pk")[:3]
    first.hidden_at = timezone.now()
    first.save()
    Report.objects.filter(pk=second.pk).update(status=Report.Status.RESOLVED)  # a bulk update, no signal
    Report.objects.filter(pk=third.pk).update(latitude=48.95)  # moved out of the box
    Report.objects.filter(pk__in=[r.pk for r in Report.objects.order_by("-pk")[:10]]).delete()
    assert counts_by_cluster(queries.map_features(**whole, filters={})) == 688
    assert counts_by_cluster(queries.map_features(**whole, filters={"status": "closed"})) == 1
    assert counts_by_cluster(queries.map_features(**whole, filters={"status": "open"})) == 687


def test_precomputed_and_computed_clusters_count_the_same(sceaux, pothole):
    bulk(pothole, grid(600))
    precomputed = queries.map_features(organisation_ids=None, bbox=BOX, zoom=13, filters={"status": "open"})
    computed = queries.map_features(organisation_ids=None, bbox=BOX, zoom=13, filters={"kind": "malfunction"})
    assert counts_by_cluster(precomputed) == counts_by_cluster(computed) == 600
