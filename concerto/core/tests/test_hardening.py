"""No 500 on anything a person or a client can send: every URL pattern of the site, hit with junk.

The test walks the URL resolver, so a page added later is covered without touching this file. Each
pattern gets real identifiers of Sceaux's data, then unknown, zero and huge ones; GET, POST with junk
form data (NUL bytes, oversized text, a file that is not an image), and odd query strings; from an
anonymous visitor, a resident, an agent of Sceaux with 2FA and the outsider (an agent of Montreuil).
"""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver

from concerto import testing
from concerto.core import registry
from concerto.core.accounts.models import ApiToken
from concerto.core.participation import services as participation
from concerto.core.participation.models import Comment
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory

pytestmark = pytest.mark.django_db

# Django's admin (superusers only) and the development media server are not the platform's pages.
SKIPPED_PREFIXES = ("admin/", "^media/")
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")

HUGE = "9" * 30  # beyond any database integer
JUNK_TEXT = "Bonjour \x00 <script>alert(1)</script> 🎉 " + "é" * 20_000
NOT_AN_IMAGE = b"%PDF-1.4 this is not an image"


def walk(resolver=None, prefix=""):
    """(route, name) of every URL pattern of the site."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, route)
        else:
            yield route, pattern.name


ROUTES = sorted({route for route, _name in walk() if not route.startswith(SKIPPED_PREFIXES)})


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hundreds of tests each create the personas: hashing their passwords the slow way costs minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_rate_limits_left_over():
    """allauth counts login and signup attempts in the cache: hundreds of junk POSTs would trip it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(sceaux, montreuil, resident, agent, admin_sceaux, outsider):
    """Sceaux's data with one of everything a URL can name, and a few Montreuil objects."""
    from concerto.components.news import services as news

    space = SpaceFactory(organisation=sceaux, slug="budget", title="Budget participatif")
    draft_space = SpaceFactory(organisation=sceaux, slug="brouillon", status="draft", published_at=None)
    step = StepFactory(space=space)
    component = ComponentFactory(space=space, kind="news")
    post = news.post_create(author=agent, component=component, title="Atelier", body="Texte.", publish=True)
    news.post_create(author=agent, component=component, title="Brouillon", body="Pas relu.")
    comment = participation.comment_create(author=resident, target=post, body="Bravo !")
    participation.moderation_report(reporter=resident, content=comment, reason="spam")
    notification = participation.notification_send(recipients=[resident], verb="news", title="Nouvelle",
                                                   url=post.get_absolute_url())[0]
    token, _key = ApiToken.issue(user=resident, name="Outil")
    montreuil_space = SpaceFactory(organisation=montreuil, slug="budget-montreuil")
    type_of = ContentType.objects.get_for_model
    # One component of each kind, so that each component's URLs reach its views with its own kind of id.
    components = {manifest.url_segment or manifest.name: ComponentFactory(space=space, kind=manifest.name,
                                                                           published=True)
                  for manifest in registry.components() if manifest.name != "news"}
    components["actualites"] = component
    by_segment = {segment: {"component_id": item.pk} for segment, item in components.items()}
    by_segment["budget-participatif"].update(_budgets_world(components["budget-participatif"], resident))
    by_segment["rencontres"].update(_events_world(components["rencontres"], resident))
    reports = _reports_world(components["signalements"], sceaux, resident)
    by_segment["signalements"].update(reports)
    values = {
        "org_slug": "sceaux",
        "space_slug": space.slug,
        "slug": "sceaux",
        "component_id": component.pk,
        "post_id": post.pk,
        "space_id": space.pk,
        "step_id": step.pk,
        "theme_id": 1,  # a theme's number in its space
        "role_id": agent.roles.get().pk,
        "content_type_id": ContentType.objects.get_for_model(Comment).pk,
        "object_id": comment.pk,
        "notification_id": notification.pk,
        "token_id": token.pk,
        "key": "abc-def",
        "uidb36": "1",
    }
    # Other things a URL may name: other kinds of targets, Montreuil's and unpublished objects.
    others = [
        {"org_slug": "montreuil"}, {"space_slug": draft_space.slug}, {"space_slug": montreuil_space.slug},
        {"content_type_id": type_of(post).pk, "object_id": post.pk},
        {"content_type_id": type_of(sceaux).pk, "object_id": sceaux.pk},
        {"content_type_id": type_of(draft_space).pk, "object_id": draft_space.pk},
        {"content_type_id": type_of(resident).pk, "object_id": resident.pk},
        {"content_type_id": type_of(token).pk, "object_id": token.pk},
        {"content_type_id": ContentType.objects.get(app_label="sessions").pk, "object_id": 1},
    ]
    values["by_segment"] = by_segment
    values.update({"report_id": reports["report_id"], "request_id": reports["report_id"], "fmt": "json",
                   "code": reports["code"], "token": reports["token"]})
    return {"values": values, "others": others}


def _reports_world(component, sceaux, resident) -> dict:
    """A service, a category and a report in Sceaux, for the reports URLs (component, site and Open311)."""
    from concerto.components.reports.models import Category, Open311Key, Report, ReportPhoto, Service

    service = Service.objects.create(organisation=sceaux, name="Éclairage public")
    category = Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage", service=service)
    report = Report.objects.create(organisation=sceaux, component=component, category=category, author=resident,
                                   description="Lampadaire éteint", latitude=48.7775, longitude=2.2900,
                                   service=service)
    photo = ReportPhoto.objects.create(report=report, image="reports/x.jpg")
    key = Open311Key.objects.create(organisation=sceaux, name="Appli", key_hash="0" * 64, prefix="0000")
    return {"service_id": service.pk, "category_id": category.pk, "report_id": report.pk, "photo_id": photo.pk,
            "key_id": key.pk, "code": category.code, "token": report.token}


def _events_world(component, resident) -> dict:
    """A published event with a registration and a post on its live board, for the events component's URLs."""
    import datetime

    from django.utils import timezone

    from concerto.components.events.models import BoardPost, Event, Registration

    starts = timezone.now() + datetime.timedelta(days=3)
    event = Event.objects.create(component=component, title="Réunion publique", starts_at=starts,
                                 ends_at=starts + datetime.timedelta(hours=2), published=True, capacity=10,
                                 live_board_open=True)
    Registration.objects.create(event=event, user=resident, code="HARDEN01")
    post = BoardPost.objects.create(event=event, text="Quand ?", author=resident, author_key=f"user:{resident.pk}")
    return {"event_id": event.pk, "post_id": post.pk}


def _budgets_world(component, resident) -> dict:
    """A budget with a category and a project on its ballot, for the budgets component's URLs."""
    from concerto.components.budgets.models import Budget, Category, Project

    budget = Budget.objects.create(component=component, name="Toute la ville", amount=100_000)
    category = Category.objects.create(component=component, name="Nature")
    project = Project.objects.create(component=component, budget=budget, category=category, author=resident,
                                     title="Un jardin partagé", text="<p>Au square.</p>", estimated_cost=20_000,
                                     final_cost=25_000, eligibility="eligible", on_ballot=True, ballot_number=1)
    return {"budget_id": budget.pk, "category_id": category.pk, "project_id": project.pk}


def url_for(route: str, values: dict, override: dict | None = None) -> str:
    override = override or {}
    # The ids of the component whose segment the route goes through (".../budget-participatif/<int:...").
    segment = re.search(r"([a-z-]+)/<int:component_id>", route)
    if segment and segment[1] in values.get("by_segment", {}):
        values = {**values, **values["by_segment"][segment[1]]}

    def replace(match):
        name = match["name"]
        # Ids the fixtures don't provide still have to match <int:...> converters to reach the checks.
        default = "1" if name.endswith("_id") or name == "number" else "x"
        value = override.get(name, values.get(name, default))
        choices = (match.groupdict().get("choices") or "").split("|")
        if choices != [""] and name not in override and value not in choices:
            value = choices[0]  # a regex group of words (csv|json): one of them
        return str(value)

    if "^" in route:
        # A regex pattern: fill its named groups, drop the anchors and the escapes.
        route = route.replace("^", "").replace("$", "")
        route = re.sub(r"\(\?P<(?P<name>\w+)>(?:(?P<choices>\w+(?:\|\w+)+)|[^)]*)\)", replace, route)
        route = route.replace(".*", "rien/du/tout").replace("\\.", ".")
    return "/" + CONVERTER.sub(replace, route)


def variants(route: str, values: dict, others=()):
    """The route with real values, then with other real objects, then with each identifier as junk."""
    names = [match["name"] for match in CONVERTER.finditer(route)]
    names += re.findall(r"\(\?P<(\w+)>", route)
    yield url_for(route, values)
    for override in others:
        if set(override) <= set(names):
            yield url_for(route, values, override)
    for name in names:
        if name.endswith("_id"):
            for junk in ("0", "999999999", HUGE):
                yield url_for(route, values, {name: junk})
        else:
            for junk in ("inconnu", "a" * 250):
                yield url_for(route, values, {name: junk})


QUERY_STRINGS = [
    "?page=abc", "?page=-1", "?page=999999", f"?page={HUGE}", "?q=%00", "?q=" + "%C3%A9" * 300,
    "?action=%00", "?next=https://evil.example/", "?next=%00", "?limit=%00&offset=-5", "?%00=%00",
]


def junk_post_data():
    keys = ["title", "slug", "summary", "description", "body", "email", "kind", "name", "reason", "details",
            "display_name", "birth_year", "residence", "gender", "password", "start_date", "end_date",
            "accent_color", "website", "contact_email", "image_alt", "action", "next", "q", "scope",
            "demographics_consent", "language", "code", "login"]
    data = {key: JUNK_TEXT for key in keys}
    data.update({"birth_year": HUGE, "residence": HUGE, "scope": [HUGE, "abc"], "start_date": "2026-13-45",
                 "end_date": "\x00", "kind": "\x00", "next": "//evil.example/"})
    for field in ("image", "logo"):
        data[field] = SimpleUploadedFile("photo.png", NOT_AN_IMAGE, content_type="image/png")
    return data


def clients(resident, admin_sceaux, outsider):
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(resident)
    staff = Client()
    testing.login_with_mfa(staff, admin_sceaux)
    foreign = Client()
    testing.login_with_mfa(foreign, outsider)
    return {"anonymous": anonymous, "resident": signed_in, "staff": staff, "outsider": foreign}


def check(response, what):
    assert response.status_code < 500, (what, response.status_code, response.content[:2000])


@pytest.mark.parametrize("route", ROUTES)
def test_no_server_error_on_any_url_with_any_input(settings, tmp_path, world, resident, admin_sceaux,
                                                   outsider, route):
    settings.MEDIA_ROOT = tmp_path / "media"
    people = clients(resident, admin_sceaux, outsider)
    urls = list(dict.fromkeys(variants(route, world["values"], world["others"])))
    valid = urls[0]
    for who, client in people.items():
        for url in urls:
            check(client.get(url), (who, "GET", url))
        for query in QUERY_STRINGS:
            check(client.get(valid + query), (who, "GET", valid + query))
        check(client.delete(valid), (who, "DELETE", valid))
        check(client.put(valid, "\x00garbage", content_type="application/json"), (who, "PUT", valid))
    # Junk bodies last: a valid POST may change the data (revoke a role, delete a step).
    # Unknown ids are refused before a body is read: bodies other than junk fields go to the real URL only.
    for who, client in people.items():
        for url in urls:
            check(client.post(url, junk_post_data()), (who, "POST junk", url))
        check(client.post(valid, b"\x00\xff" * 1000, content_type="application/octet-stream"),
              (who, "POST garbage", valid))
        check(client.post(valid, {}), (who, "POST empty", valid))


BACKOFFICE_ROUTES = [route for route in ROUTES if route.startswith("gestion/")]
# Django's own views and allauth's pages check the CSRF token too, so every form of the site is here;
# the API (JSON, its own CSRF check on session writes), Open311 (an API key, no session) and Atom feeds take
# no form. The digest's, the newsletters' and the campaigns' unsubscribe addresses take the one-click POST of mail
# clients (RFC 8058): a secret token in the URL stands for the session, and it changes nothing but stopping that
# person's emails.
# The mail provider's bounce webhook is a server-to-server call whose secret is the proof.
FORM_ROUTES = [route for route in ROUTES if not route.startswith((
    "api/", "open311/", "mon-fil/resume/desabonnement/", "mon-fil/lettres/desabonnement/", "invitations/arret/",
    "participation/courriels/rebonds/"))]


@pytest.mark.parametrize("route", BACKOFFICE_ROUTES)
def test_every_backoffice_page_asks_staff_for_the_second_factor_first(client, world, agent, route):
    """Signed in with a password only: every back-office URL sends to the 2FA check, none renders."""
    client.force_login(agent)
    for url in dict.fromkeys(variants(route, world["values"], world["others"])):
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code == 405:  # refused before anything is read: nothing shown
                continue
            if response.status_code == 404 and not url.startswith(("/gestion/sceaux/", "/gestion/montreuil/")):
                continue  # no organisation has this address: nothing to protect
            assert response.status_code == 302, (method.__name__, url, response.status_code)
            assert response.url.startswith("/compte/2fa/reauthenticate/?next="), (url, response.url)


@pytest.mark.parametrize("route", BACKOFFICE_ROUTES)
def test_staff_without_an_authenticator_must_set_one_up_before_any_backoffice_page(client, world, sceaux,
                                                                                   route):
    newcomer = testing.persona("nouvel-agent@sceaux.example.org", role="agent", organisation=sceaux, mfa=False)
    client.force_login(newcomer)
    url = url_for(route, world["values"])
    for method in (client.get, client.post):
        response = method(url)
        if response.status_code == 405:
            continue
        assert response.status_code == 302, (method.__name__, url, response.status_code)
        assert response.url.startswith("/compte/2fa/totp/activate/?next="), (url, response.url)


@pytest.mark.parametrize("route", FORM_ROUTES)
def test_no_post_is_accepted_without_the_csrf_token(world, admin_sceaux, route):
    client = Client(enforce_csrf_checks=True)
    testing.login_with_mfa(client, admin_sceaux)
    url = url_for(route, world["values"])
    response = client.post(url, {"title": "Sans jeton", "body": "Texte", "name": "Jeton"})
    assert response.status_code == 403, (url, response.status_code)


def valid_forms(values):
    """(url, data) of every form of the site, with data it accepts."""
    org, space = values["org_slug"], values["space_slug"]
    step = {"title": "Vote", "description": "On vote.", "start_date": "2026-03-01", "end_date": "2026-03-31"}
    return [
        (f"/gestion/{org}/espaces/nouveau/", {"title": "Nouvel espace", "summary": "Résumé",
                                              "description": "Texte", "image_alt": ""}),
        (f"/gestion/{org}/{space}/modifier/", {"title": "Budget", "slug": space, "summary": "Résumé",
                                               "description": "Texte"}),
        (f"/gestion/{org}/{space}/etapes/nouvelle/", step),
        (f"/gestion/{org}/{space}/etapes/{values['step_id']}/", step),
        (f"/gestion/{org}/{space}/composants/nouveau/", {"kind": "news", "title": "Actualités"}),
        (f"/gestion/{org}/{space}/composants/{values['component_id']}/", {"title": "Actualités",
                                                                           "posts_per_page": "5"}),
        (f"/gestion/{org}/equipe/", {"email": "resident@example.org", "kind": "moderator"}),
        (f"/gestion/{org}/reglages/", {"description": "Ville", "website": "https://sceaux.fr",
                                       "contact_email": "mairie@sceaux.fr", "accent_color": "#1f4e8c"}),
        (f"/gestion/{org}/{space}/actualites/{values['component_id']}/nouvelle/",
         {"title": "Atelier", "summary": "Samedi", "body": "Venez.", "image_alt": ""}),
        (f"/gestion/{org}/{space}/actualites/{values['component_id']}/{values['post_id']}/modifier/",
         {"title": "Atelier", "summary": "Samedi", "body": "Venez.", "image_alt": ""}),
        (f"/gestion/{org}/moderation/contenu/{values['content_type_id']}/{values['object_id']}/masquer/",
         {"reason": "Insulte"}),
        ("/compte/profil/", {"display_name": "Camille", "demographics_consent": "on", "birth_year": "1980"}),
        ("/compte/jetons/", {"name": "Mon outil"}),
        ("/compte/login/", {"login": "agent@sceaux.example.org", "password": "mauvais"}),
        ("/compte/signup/", {"email": "nouveau@example.org", "display_name": "Nouvelle voisine",
                             "password1": "Un-mot-de-passe-long-1", "password2": "Un-mot-de-passe-long-1"}),
        ("/compte/password/reset/", {"email": "resident@example.org"}),
        ("/communes/", {"q": "Sceaux"}),
    ]


def test_a_nul_character_in_any_field_of_any_form_is_a_clear_error(settings, tmp_path, world, admin_sceaux):
    """PostgreSQL refuses NUL in text: every form answers an error next to the field instead."""
    settings.MEDIA_ROOT = tmp_path / "media"
    checked = 0
    for url, data in valid_forms(world["values"]):
        for field, value in data.items():
            if not value or field in {"kind", "demographics_consent", "birth_year", "start_date", "end_date",
                                      "posts_per_page"}:
                continue
            client = Client()
            if not url.startswith(("/compte/login/", "/compte/signup/", "/compte/password/")):
                testing.login_with_mfa(client, admin_sceaux)
            poisoned = {**data, field: value[:3] + "\x00" + value[3:]}
            response = client.post(url, poisoned) if url != "/communes/" else client.get(url, poisoned)
            assert response.status_code < 500, (url, field)
            if url not in {"/communes/", "/compte/login/"} and "masquer" not in url:
                assert "Le caractère nul n’est pas autorisé." in response.content.decode(), (url, field)
            checked += 1
    assert checked > 30
