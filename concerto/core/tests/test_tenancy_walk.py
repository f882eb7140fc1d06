"""Tenancy, walked: no role of another commune reaches Sceaux's data through any URL of the site.

The test enumerates the URL resolver (every component's public and back-office URLconfs as the registry
mounts them, the core back-office and the API), so a component added later is covered without touching
this file; it only has to say, in ITEMS below, how to make one item of each kind its URLs name (the first
test fails until it does).

Sceaux gets, for every registered kind, a published component and a draft one, each with items whose
titles carry a mark. Montreuil gets a component of every kind too. Then every role of Montreuil
(administrator, agent, elected official, evaluator, moderator), signed in with a second factor, asks:
  A. Sceaux's ids under Montreuil's name (`/montreuil/<sceaux space>/<segment>/<sceaux component>/...`);
  B. Sceaux's item ids under Montreuil's own space and component (`/montreuil/<its space>/.../<its
     component>/<sceaux item>/`), which only the item lookup can refuse;
  C. Sceaux's own URL of the draft component.
GET everywhere, POST (with an empty form) on the back-office: the answer is a 403/404, or a page that
shows no Sceaux mark (A, B) or no mark of Sceaux's drafts (C), and a POST changes nothing in the
database. The API is asked with the same roles' tokens for Sceaux's draft items and components.
"""

import datetime
import re

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from concerto import testing
from concerto.core import registry
from concerto.core.accounts.models import ApiToken, Role
from concerto.core.tests.test_hardening import walk
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory

pytestmark = pytest.mark.django_db

MARK = "Tq7Sceaux"  # in the title of every Sceaux item
SECRET = f"{MARK}-brouillon"  # in the titles of the draft component's items
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
ROLES = tuple(Role.Kind)
REFUSED = {403, 404, 405}


ROUTES = sorted({route for route, _name in walk()})


def _segment_of(route: str) -> str | None:
    match = re.search(r"([a-z-]+)/<int:component_id>", route)
    return match[1] if match else None


def _kind_of(route: str) -> str | None:
    by_segment = {manifest.segment: manifest.name for manifest in registry.components()}
    return by_segment.get(_segment_of(route))


def site_routes(kind: str | None) -> list[str]:
    """The routes under an organisation and a space: a component's (by its URL segment) or the core's."""
    return [route for route in ROUTES if "space_slug>" in route and "org_slug>" in route
            and _kind_of(route) == kind and not (kind is None and _segment_of(route))]


def api_routes() -> list[str]:
    return [route for route in ROUTES if route.startswith("api/v1/") and "^" not in route]


# How to make the items a kind's URLs name: function(component, author, title) -> {url kwarg: id}. -----------

def _news(component, author, title):
    from concerto.components.news import services

    post = services.post_create(author=author, component=component, title=title, body="Texte.",
                                publish=component.published)
    return {"post_id": post.pk}


def _proposals(component, author, title):
    from concerto.components.proposals.models import Category, Proposal

    category = Category.objects.create(component=component, name=f"{title} catégorie")
    proposal = Proposal.objects.create(component=component, category=category, author=author, title=title,
                                       text="<p>Un banc.</p>")
    return {"proposal_id": proposal.pk, "category_id": category.pk}


def _budgets(component, author, title):
    from concerto.components.budgets.models import Budget, Category, Project

    budget = Budget.objects.create(component=component, name=f"{title} enveloppe", amount=100_000)
    category = Category.objects.create(component=component, name=f"{title} catégorie")
    project = Project.objects.create(component=component, budget=budget, category=category, author=author,
                                     title=title, text="<p>Au square.</p>", estimated_cost=20_000,
                                     final_cost=25_000, eligibility="eligible", on_ballot=True, ballot_number=1)
    return {"budget_id": budget.pk, "category_id": category.pk, "project_id": project.pk}


def _events(component, author, title):
    from concerto.components.events.models import BoardPost, Event, Registration

    starts = timezone.now() + datetime.timedelta(days=3)
    event = Event.objects.create(component=component, title=title, starts_at=starts, published=True,
                                 ends_at=starts + datetime.timedelta(hours=2), capacity=10, live_board_open=True)
    Registration.objects.create(event=event, user=author, code=f"TW{component.pk:06d}"[:8])
    post = BoardPost.objects.create(event=event, text=f"{title} ?", author=author, author_key=f"user:{author.pk}")
    return {"event_id": event.pk, "post_id": post.pk}


def _consultations(component, author, title):
    from concerto.components.consultations.models import Option, Question, Response, Section

    section = Section.objects.create(component=component, title=f"{title} partie")
    question = Question.objects.create(component=component, section=section, kind="single", label=title)
    option = Option.objects.create(question=question, label=f"{title} réponse")
    response = Response.objects.create(component=component, respondent=author, status="submitted",
                                       channel="paper", submitted_at=timezone.now())
    return {"section_id": section.pk, "question_id": question.pk, "option_id": option.pk,
            "response_id": response.pk}


def _reports(component, author, title):
    from concerto.components.reports.models import Category, Open311Key, Report, ReportPhoto, Service

    organisation = component.space.organisation
    service = Service.objects.create(organisation=organisation, name=f"{title} service {component.pk}")
    category = Category.objects.create(organisation=organisation, code=f"c{component.pk}",
                                       name=f"{title} cat {component.pk}", service=service)
    report = Report.objects.create(organisation=organisation, component=component, category=category,
                                   author=author, description=title, latitude=48.7775, longitude=2.2900,
                                   service=service)
    photo = ReportPhoto.objects.create(report=report, image="reports/x.jpg")
    key = Open311Key.objects.create(organisation=organisation, name=f"{title} appli", key_hash=f"{component.pk:064d}",
                                    prefix=f"{component.pk:04d}"[:8])
    return {"service_id": service.pk, "category_id": category.pk, "report_id": report.pk, "photo_id": photo.pk,
            "key_id": key.pk}


def _questions(component, author, title):
    from django.utils import timezone

    from concerto.components.questions.models import OfficialProfile, Question

    organisation = component.space.organisation
    profile, _created = OfficialProfile.objects.get_or_create(
        organisation=organisation, user=author, defaults={"slug": "elu", "name": "Élu", "mandate": "Maire adjoint"})
    question = Question.objects.create(component=component, author=author, addressee=profile, title=title,
                                       text="Texte.", status=Question.Status.PUBLISHED, published_at=timezone.now())
    return {"question_id": question.pk, "profile_id": profile.pk, "profile_slug": profile.slug}


def _polls(component, author, title):
    from concerto.components.polls.models import Answer, Choice, Poll

    poll = Poll.objects.create(component=component, question=title, published_at=timezone.now())
    choice = Choice.objects.create(poll=poll, label=f"{title} oui")
    Choice.objects.create(poll=poll, label=f"{title} non")
    Answer.objects.create(poll=poll, user=author, channel="web").choices.set([choice])
    return {"poll_id": poll.pk}


def _opinions(component, author, title):
    from concerto.components.opinions.models import Conversation, Statement, Vote

    conversation = Conversation.objects.create(component=component, question=title, published_at=timezone.now(),
                                               audience=Conversation.Audience.ANYONE)
    statement = Statement.objects.create(conversation=conversation, text=f"{title} affirmation", status="accepted")
    Statement.objects.create(conversation=conversation, text=f"{title} en attente", author=author)
    Vote.objects.create(statement=statement, participant=f"u{author.pk}", user=author, value=1)
    return {"conversation_id": conversation.pk, "statement_id": statement.pk}


# Reports belong to the commune, not to the component: a report is public whatever the publication of the
# component it came through (its page is /signalements/<id>/), so those of the draft component are no secret.
PUBLIC_WHATEVER_THE_COMPONENT = {"reports"}

ITEMS = {"news": _news, "proposals": _proposals, "budgets": _budgets, "events": _events,
         "consultations": _consultations, "reports": _reports, "questions": _questions, "polls": _polls,
         "opinions": _opinions}


def test_every_registered_component_says_how_to_make_its_items():
    assert {manifest.name for manifest in registry.components()} <= set(ITEMS)


def test_the_walk_reaches_every_component_s_back_office_and_public_pages():
    for manifest in registry.components():
        routes = site_routes(manifest.name)
        if manifest.backoffice_urls:
            assert any(route.startswith("gestion/") for route in routes), manifest.name
        if manifest.public_urls:
            assert any(not route.startswith("gestion/") for route in routes), manifest.name
    assert site_routes(None) and api_routes()


# The world ---------------------------------------------------------------------------------------------

@pytest.fixture
def world(sceaux, montreuil, resident):
    space = SpaceFactory(organisation=sceaux, slug="tenancy", title="Espace de Sceaux")
    step = StepFactory(space=space)
    own_space = SpaceFactory(organisation=montreuil, slug="tenancy-montreuil", title="Espace de Montreuil")
    kinds = {}
    for manifest in registry.components():
        published = ComponentFactory(space=space, kind=manifest.name, published=True)
        draft = ComponentFactory(space=space, kind=manifest.name, published=False)
        own = ComponentFactory(space=own_space, kind=manifest.name, published=True)
        secret = MARK if manifest.name in PUBLIC_WHATEVER_THE_COMPONENT else SECRET
        kinds[manifest.name] = {
            "published": {"component_id": published.pk,
                          **ITEMS[manifest.name](published, resident, f"{MARK}-{manifest.name}")},
            "draft": {"component_id": draft.pk, **ITEMS[manifest.name](draft, resident, f"{secret}-{manifest.name}")},
            "own_component_id": own.pk,
        }
    return {"space": space, "own_space": own_space, "step": step, "kinds": kinds}


@pytest.fixture
def montreuil_people(montreuil):
    """Every role of Montreuil: (who, web client with 2FA, API token key)."""
    people = []
    for kind in ROLES:
        user = testing.persona(f"{kind}@montreuil.example.org", role=kind, organisation=montreuil)
        client = Client()
        testing.login_with_mfa(client, user)
        _token, key = ApiToken.issue(user=user, name="Outil")
        people.append((kind, client, key))
    return people


def _fill(route: str, values: dict) -> str:
    return "/" + CONVERTER.sub(lambda match: str(values.get(match["name"], "1")), route)


def _database(kind_apps) -> list:
    """Every row of the spaces, participation and components' tables, to see that nothing changed."""
    rows = []
    for label in ("spaces", "participation", *kind_apps):
        for model in apps.get_app_config(label).get_models():
            rows.append((model._meta.label, list(model.objects.order_by("pk").values_list())))
    return rows


def _component_apps() -> list[str]:
    labels = []
    for manifest in registry.components():
        module = (manifest.public_urls or manifest.backoffice_urls).rsplit(".", 1)[0]
        labels.append(apps.get_containing_app_config(module).label)
    return labels


def _variants(route: str, world: dict, kind: str | None) -> list[tuple[str, str, str]]:
    """(label, url, the mark that must not show) for a route."""
    names = {match["name"] for match in CONVERTER.finditer(route)}
    sceaux_space, own_space = world["space"].slug, world["own_space"].slug
    urls = []
    if kind is None:  # the core back-office: the space is the prefix, steps and components are its items
        draft_component = world["kinds"][registry.components()[0].name]["draft"]["component_id"]
        items = {"component_id": draft_component, "step_id": world["step"].pk}
        urls.append(("A", _fill(route, {"org_slug": "montreuil", "space_slug": sceaux_space, **items}), MARK))
        if names & set(items):
            urls.append(("B", _fill(route, {"org_slug": "montreuil", "space_slug": own_space, **items}), MARK))
        urls.append(("C", _fill(route, {"org_slug": "sceaux", "space_slug": sceaux_space, **items}), SECRET))
        return urls
    ids = world["kinds"][kind]
    for state in ("published", "draft"):
        values = ids[state]
        urls.append((f"A {state}", _fill(route, {"org_slug": "montreuil", "space_slug": sceaux_space,
                                                 **values}), MARK))
        if names - {"org_slug", "space_slug", "component_id"}:
            urls.append((f"B {state}", _fill(route, {**values, "org_slug": "montreuil", "space_slug": own_space,
                                                     "component_id": ids["own_component_id"]}), MARK))
    urls.append(("C draft", _fill(route, {"org_slug": "sceaux", "space_slug": sceaux_space, **ids["draft"]}),
                 SECRET))
    return list(dict.fromkeys(urls))


def _assert_nothing_shown(response, mark: str, what):
    if response.status_code in REFUSED or response.status_code in (301, 302):
        return
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert mark.encode() not in body, (what, response.status_code)


@pytest.mark.parametrize("kind", [*sorted(ITEMS), None], ids=lambda kind: kind or "core")
def test_no_role_of_another_commune_reaches_sceaux_through_any_page(world, montreuil_people, kind):
    if kind is not None and kind not in {manifest.name for manifest in registry.components()}:
        pytest.skip(f"{kind} is not installed")
    labels = _component_apps()
    for route in site_routes(kind):
        backoffice = route.startswith("gestion/")
        for label, url, mark in _variants(route, world, kind):
            for who, client, _key in montreuil_people:
                response = client.get(url)
                _assert_nothing_shown(response, mark, (who, "GET", label, url))
                if backoffice:
                    assert response.status_code in REFUSED, (who, "GET", label, url, response.status_code)
                    before = _database(labels)
                    response = client.post(url, {})
                    _assert_nothing_shown(response, mark, (who, "POST", label, url))
                    assert _database(labels) == before, (who, "POST changed the database", label, url)
                    assert response.status_code in REFUSED, (who, "POST", label, url, response.status_code)


def test_no_token_of_another_commune_reads_sceaux_drafts_through_the_api(world, montreuil_people):
    drafts = [world["kinds"][manifest.name]["draft"] for manifest in registry.components()]
    values = {}
    for draft in drafts:
        values.update({name: value for name, value in draft.items() if name != "component_id"})
    urls = []
    for route in api_routes():
        names = {match["name"] for match in CONVERTER.finditer(route)}
        if names:
            for draft in drafts:
                urls.append("/" + CONVERTER.sub(lambda match, d=draft: str(
                    d.get(match["name"], values.get(match["name"], "sceaux"))), route))
        else:
            for draft in drafts:
                urls.append(f"/{route}?component={draft['component_id']}&space={world['space'].pk}"
                            f"&organisation=sceaux")
    for who, client, key in montreuil_people:
        for url in dict.fromkeys(urls):
            _assert_nothing_shown(client.get(url), SECRET, (who, "session", url))
            _assert_nothing_shown(client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}"), SECRET, (who, "token", url))


# Bulk actions name their items in the form, not in the URL: Montreuil's own back-office pages are asked to
# act on Sceaux's items, and must change nothing.
BULK_FORMS = {
    # "<namespace>:<name>": function(sceaux ids of the kind) -> POST data naming Sceaux's items.
    "proposals_backoffice:bulk": lambda ids: {"proposals": [ids["proposal_id"]], "action": "merge",
                                              "into": ids["proposal_id"]},
    "budgets_backoffice:ideas": lambda ids: {"ideas": [f"{ids['proposals_component_id']}:{ids['proposal_id']}"]},
    "reports_backoffice:bulk": lambda ids: {"reports": [ids["report_id"]], "action": "acknowledge"},
}


def test_bulk_actions_of_another_commune_change_nothing_of_sceaux(world, montreuil_people):
    from django.urls import reverse

    kinds = {manifest.name for manifest in registry.components()}
    own_space = world["own_space"]
    for name, form in BULK_FORMS.items():
        kind = name.split("_backoffice")[0]
        if kind not in kinds:
            continue
        sceaux_ids = {**world["kinds"][kind]["published"],
                      "proposal_id": world["kinds"]["proposals"]["published"]["proposal_id"],
                      "proposals_component_id": world["kinds"]["proposals"]["published"]["component_id"]}
        url = reverse(name, args=["montreuil", own_space.slug, world["kinds"][kind]["own_component_id"]])
        labels = _component_apps()
        for who, client, _key in montreuil_people:
            before = _database(labels)
            response = client.post(url, form(sceaux_ids))
            assert response.status_code < 500, (who, name, response.status_code)
            _assert_nothing_shown(response, MARK, (who, "POST", name))
            assert _database(labels) == before, (who, "POST changed the database", name)
