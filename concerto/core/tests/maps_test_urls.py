"""A test-only URLconf: a page with a PointField and two points maps, on top of the site's URLs.

Used with `@pytest.mark.urls("concerto.core.tests.maps_test_urls")` by the maps' unit and browser tests.
"""

from django import forms
from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.urls import path

from concerto.core.maps import PointField
from concerto.urls import urlpatterns as site_urlpatterns

# (latitude, longitude, title, url): two close together (a cluster at the Métropole's scale), one apart.
POINTS = [
    (48.7787, 2.2905, "Banc devant la mairie de Sceaux", "/sceaux/"),
    (48.7770, 2.2930, "Fontaine du jardin de la Ménagerie", "/sceaux/"),
    (48.8618, 2.4432, "Square de la mairie de Montreuil", "/montreuil/"),
]

PAGE = engines["django"].from_string("""{% extends "base.html" %}
{% block title %}Essai de carte{% endblock %}
{% block content %}
<h1>Essai de carte</h1>
{% if place %}<p class="notice" id="place">Lieu reçu : {{ place.0 }}, {{ place.1 }}</p>{% if place.address %}
<p id="address">Adresse reçue : {{ place.address }}</p>{% endif %}{% endif %}
<form method="post" novalidate>
  {% csrf_token %}
  {% include "includes/form.html" %}
  <button type="submit" class="button">Envoyer le lieu</button>
</form>
<h2>Lieux</h2>
{% include "includes/map_points.html" with points_url=points_url label="Carte des lieux" %}
{% include "includes/map_points.html" with points_url=points_url label="Carte des lieux, bis" %}
<ul class="compact-list">{% for point in points %}<li><a href="{{ point.3 }}">{{ point.2 }}</a></li>{% endfor %}</ul>
{% endblock %}""")


class PlaceForm(forms.Form):
    title = forms.CharField(label="Titre", max_length=100)
    location = PointField(label="Emplacement", required=False)


def place_view(request):
    form = PlaceForm(request.POST or None)
    place, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            place = form.cleaned_data["location"]
        else:
            status = 400
    context = {"form": form, "place": place, "points": POINTS, "points_url": "/essai-carte/lieux.geojson"}
    return HttpResponse(PAGE.render(context, request), status=status)


def points_geojson(request):
    return JsonResponse({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lng, lat]},
         "properties": {"title": title, "url": url}}
        for lat, lng, title, url in POINTS
    ]}, content_type="application/geo+json")


urlpatterns = [
    path("essai-carte/", place_view, name="maps_test_page"),
    path("essai-carte/lieux.geojson", points_geojson, name="maps_test_points"),
    *site_urlpatterns,
]
