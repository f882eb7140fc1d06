"""Fast read queries over up to millions of reports (owner: open311 helper):

- `map_features(*, organisation_ids, bbox, zoom, filters) -> dict` (GeoJSON FeatureCollection of at most 500
  features: single reports at high zoom, clusters with counts at low zoom);
- `nearby_open(*, category, latitude, longitude, radius_m=50, limit=10) -> list[Report]` (open reports of the
  same category within the radius, nearest first).
"""
