"""Roles × back-office URLs: every registered back-office page answers each role as the table says.

The URLs come from the resolver (the walk of test_hardening, the items of test_tenancy_walk), so a page
added later fails `test_every_back_office_page_has_an_entry` until READERS below says who may read it.
Each role of Sceaux (administrator, agent, elected official, evaluator, moderator) and a resident without a
role, all signed in with a second factor, GET every page: a 200 (or the redirect/405 of a page that only
takes a POST) for the roles of its entry, a 403 for the others, and the 403 says the truth to an elected
official. Then the crawl: every back-office link on every page a role can open opens for that role.
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import resolve

from concerto import testing
from concerto.core.accounts.models import Role
from concerto.core.territory.models import Quartier
from concerto.core.tests.test_tenancy_walk import CONVERTER, ITEMS, ROUTES
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory

pytestmark = pytest.mark.django_db

ROLES = (*Role.Kind, "resident")
ALL = frozenset(Role.Kind)
ADMIN, AGENT, ELECTED, EVALUATOR, MODERATOR = (Role.Kind.ADMIN, Role.Kind.AGENT, Role.Kind.ELECTED,
                                               Role.Kind.EVALUATOR, Role.Kind.MODERATOR)
READ = frozenset({ADMIN, AGENT, ELECTED})  # spaces.read_space
MANAGE = frozenset({ADMIN, AGENT})  # spaces.manage_space
ONLY_ADMIN = frozenset({ADMIN})
NOBODY = frozenset()  # a page that takes only a POST: a GET is a 405 for everyone
# A page no role of a commune opens (a 403 for all): the Métropole administrators' own (the guides).
METROPOLE_ADMINS = frozenset({"metropole administrator"})

# Who opens each back-office page (GET): a 403 for every other role and for a resident without a role.
READERS = {
    # Themes of a space's free texts (core/texts): read by the readers; every change is a POST.
    "backoffice:themes": READ,
    "backoffice:themes_recompute": NOBODY,
    "backoffice:theme_rename": NOBODY,
    "backoffice:theme_merge": NOBODY,
    "backoffice:theme_split": NOBODY,
    "backoffice:theme_text_move": NOBODY,
    # Likely duplicates among a component's proposals (similar ideas): read by the readers, merged by a POST.
    "proposals_backoffice:duplicates": READ,
    # Quartiers of a commune (core/territory): read by the readers, changed by those who manage spaces.
    "backoffice:quartiers": READ,
    "backoffice:quartier_create": MANAGE,
    "backoffice:quartier": READ,
    "backoffice:quartier_delete": NOBODY,
    # Concertation plans and the actors directory (core/mobilisation).
    "mobilisation_backoffice:actors": READ,
    "mobilisation_backoffice:actor_create": MANAGE,
    "mobilisation_backoffice:actor": READ,
    "mobilisation_backoffice:actor_delete": NOBODY,
    "mobilisation_backoffice:contact_remove": NOBODY,
    "mobilisation_backoffice:member_remove": NOBODY,  # POST only
    "mobilisation_backoffice:plan": READ,
    "mobilisation_backoffice:plan_publish": NOBODY,
    "mobilisation_backoffice:plan_unpublish": NOBODY,
    "mobilisation_backoffice:plan_section": READ,
    "mobilisation_backoffice:plan_row_remove": NOBODY,
    # Print kits (core/mobilisation): read and downloaded by the readers, made and removed by those who manage.
    "mobilisation_backoffice:kits": READ,
    "mobilisation_backoffice:kit_create": MANAGE,
    "mobilisation_backoffice:kit_pdf": READ,
    "mobilisation_backoffice:kit_delete": NOBODY,
    # Campaigns (core/mobilisation): list, preview and figures read by the readers, written and sent by managers.
    "mobilisation_backoffice:campaigns": READ,
    "mobilisation_backoffice:campaign_create": MANAGE,
    "mobilisation_backoffice:campaign_edit": MANAGE,
    "mobilisation_backoffice:campaign_preview": READ,
    "mobilisation_backoffice:campaign_send": NOBODY,
    "mobilisation_backoffice:campaign_cancel": NOBODY,
    "mobilisation_backoffice:campaign_figures": READ,
    # The resource centre (core/resources): templates read by the readers; guides are the Métropole's.
    "resources_backoffice:templates": READ,
    "resources_backoffice:template_publish": MANAGE,
    "resources_backoffice:template_use": MANAGE,
    "resources_backoffice:template_unpublish": NOBODY,
    "resources_backoffice:example_share": MANAGE,
    "resources_backoffice:example_unshare": NOBODY,
    # The network of practice (core/resources): every role reads it, administrators and agents write there,
    # comments are hidden by a POST (the Métropole's moderators); the org-free link of notifications redirects.
    "network:home": ALL,
    "network:question_create": MANAGE,
    "network:question": ALL,
    "network:template": ALL,
    "network:example": ALL,
    "network:comment_hide": NOBODY,
    "network_go": ALL,
    "resources_backoffice:guides": METROPOLE_ADMINS,
    "resources_backoffice:guide_create": METROPOLE_ADMINS,
    "resources_backoffice:guide_edit": METROPOLE_ADMINS,
    # Decisions and actions (core/accountability): read by the readers, changed by the managers.
    "accountability_backoffice:decisions": READ,
    "accountability_backoffice:decision": READ,
    "accountability_backoffice:decision_create": MANAGE,
    "accountability_backoffice:figures": READ,
    "accountability_backoffice:figures_csv": READ,
    "accountability_backoffice:decision_edit": MANAGE,
    "accountability_backoffice:decision_delete": MANAGE,
    "accountability_backoffice:decision_links": MANAGE,
    "accountability_backoffice:link_remove": NOBODY,
    "accountability_backoffice:action_create": MANAGE,
    "accountability_backoffice:action": MANAGE,
    "accountability_backoffice:action_progress": NOBODY,
    "accountability_backoffice:action_photo": NOBODY,
    "accountability_backoffice:action_delete": NOBODY,
    "backoffice:audit": ONLY_ADMIN,
    "backoffice:component": MANAGE,
    "backoffice:component_add": MANAGE,
    "backoffice:component_delete": MANAGE,
    "backoffice:component_down": MANAGE,
    "backoffice:component_publish": MANAGE,
    "backoffice:component_unpublish": MANAGE,
    "backoffice:component_up": MANAGE,
    "backoffice:dashboard": ALL,
    "backoffice:organisation": ALL,
    "backoffice:overview": READ,
    "backoffice:overview_csv": READ,
    "backoffice:dialogue": READ,
    "backoffice:dialogue_csv": READ,
    "backoffice:role_desk_activate": ONLY_ADMIN,
    "backoffice:role_link_resend": ONLY_ADMIN,
    "backoffice:role_revoke": ONLY_ADMIN,
    "backoffice:role_second_factor_reset": ONLY_ADMIN,
    "backoffice:roles": ALL,
    "backoffice:settings": ONLY_ADMIN,
    "backoffice:space": ALL,
    "backoffice:space_archive": MANAGE,
    "backoffice:space_create": MANAGE,
    "backoffice:space_edit": MANAGE,
    "backoffice:space_overview": READ,
    "backoffice:space_overview_csv": READ,
    "backoffice:space_synthesis": READ,
    "backoffice:space_synthesis_print": READ,
    "backoffice:space_publish": MANAGE,
    "backoffice:space_unpublish": MANAGE,
    "backoffice:step_create": MANAGE,
    "backoffice:step_delete": MANAGE,
    "backoffice:step_edit": MANAGE,
    "backoffice:verification_census": MANAGE,
    "backoffice:verification_census_delete": MANAGE,
    "backoffice:verification_desk": MANAGE,
    "backoffice:verification_letter_cancel": MANAGE,
    "backoffice:verification_letters": MANAGE,
    "backoffice:verification_overview": MANAGE,
    "backoffice:verification_revoke": MANAGE,
    "budgets_backoffice:ballot_list": READ,
    "budgets_backoffice:budget_edit": MANAGE,
    "budgets_backoffice:budgets": READ,
    "budgets_backoffice:categories": MANAGE,
    "budgets_backoffice:category_delete": MANAGE,
    "budgets_backoffice:category_edit": MANAGE,
    "budgets_backoffice:duplicates": frozenset({ADMIN, AGENT, ELECTED, EVALUATOR}),
    "budgets_backoffice:export_csv": frozenset({ADMIN, AGENT, ELECTED, EVALUATOR}),
    "budgets_backoffice:export_xlsx": frozenset({ADMIN, AGENT, ELECTED, EVALUATOR}),
    "budgets_backoffice:followup": MANAGE,
    "budgets_backoffice:ideas": MANAGE,
    "budgets_backoffice:import": MANAGE,
    "budgets_backoffice:index": frozenset({ADMIN, AGENT, ELECTED, EVALUATOR}),
    "budgets_backoffice:merge": frozenset({ADMIN, AGENT, EVALUATOR}),
    "budgets_backoffice:paper": READ,
    "budgets_backoffice:paper_mismatches": READ,
    "budgets_backoffice:results": READ,
    "budgets_backoffice:review": frozenset({ADMIN, AGENT, ELECTED, EVALUATOR}),
    "channels_backoffice:broadcast_create": MANAGE,
    "channels_backoffice:broadcasts": MANAGE,
    "channels_backoffice:channel_check": NOBODY,
    "channels_backoffice:channel_create": MANAGE,
    "channels_backoffice:channel_deactivate": NOBODY,
    "channels_backoffice:channel_edit": MANAGE,
    "channels_backoffice:channels": MANAGE,
    "channels_backoffice:figures": READ,
    "channels_backoffice:figures_csv": READ,
    "channels_backoffice:ticket": MANAGE,
    "channels_backoffice:ticket_close": NOBODY,
    "channels_backoffice:tickets": MANAGE,
    "consultations_backoffice:export_csv": MANAGE,
    "consultations_backoffice:export_xlsx": MANAGE,
    "consultations_backoffice:index": READ,
    "consultations_backoffice:intro": MANAGE,
    "consultations_backoffice:option_move": NOBODY,
    "consultations_backoffice:paper_entry": MANAGE,
    "consultations_backoffice:question_create": MANAGE,
    "consultations_backoffice:question_delete": MANAGE,
    "consultations_backoffice:question_edit": MANAGE,
    "consultations_backoffice:question_move": NOBODY,
    "consultations_backoffice:response_delete": MANAGE,
    "consultations_backoffice:responses": MANAGE,
    "consultations_backoffice:section_create": MANAGE,
    "consultations_backoffice:section_delete": MANAGE,
    "consultations_backoffice:section_edit": MANAGE,
    "consultations_backoffice:section_move": NOBODY,
    "events_backoffice:board": frozenset({ADMIN, AGENT, MODERATOR}),
    "events_backoffice:cancel": MANAGE,
    "events_backoffice:checkin": MANAGE,
    "events_backoffice:contributions": MANAGE,
    "events_backoffice:create": MANAGE,
    "events_backoffice:edit": MANAGE,
    "events_backoffice:figures": READ,
    "events_backoffice:index": READ,
    "events_backoffice:minutes": MANAGE,
    "events_backoffice:registrations": READ,
    "events_backoffice:registrations_csv": MANAGE,
    "events_backoffice:walk_in": MANAGE,
    "news_backoffice:create": MANAGE,
    "news_backoffice:delete": MANAGE,
    "news_backoffice:edit": MANAGE,
    "news_backoffice:index": READ,
    "news_backoffice:publish": NOBODY,
    "news_backoffice:unpublish": NOBODY,
    "participation_backoffice:dismiss": NOBODY,
    "participation_backoffice:hidden": frozenset({ADMIN, MODERATOR}),
    "opinions_backoffice:create": MANAGE,
    "opinions_backoffice:edit": MANAGE,
    "opinions_backoffice:index": READ,
    "opinions_backoffice:polis_zip": READ,
    "opinions_backoffice:publish": NOBODY,
    "opinions_backoffice:queue": frozenset({ADMIN, AGENT, MODERATOR}),  # opinions.moderate_statements
    "opinions_backoffice:recompute": NOBODY,
    "opinions_backoffice:results": READ,
    "opinions_backoffice:statements_csv": READ,
    "participation_backoffice:hide": NOBODY,
    "participation_backoffice:queue": frozenset({ADMIN, MODERATOR}),
    "participation_backoffice:restore": NOBODY,
    "polls_backoffice:answers_csv": READ,
    "polls_backoffice:close": NOBODY,
    "polls_backoffice:create": MANAGE,
    "polls_backoffice:edit": MANAGE,
    "polls_backoffice:index": READ,
    "polls_backoffice:publish": NOBODY,
    "polls_backoffice:results": READ,
    "proposals_backoffice:answer": MANAGE,
    "proposals_backoffice:categories": MANAGE,
    "proposals_backoffice:category_delete": MANAGE,
    "proposals_backoffice:category_edit": MANAGE,
    "proposals_backoffice:export_csv": READ,
    "proposals_backoffice:export_json": READ,
    "proposals_backoffice:export_xlsx": READ,
    "proposals_backoffice:index": READ,
    "proposals_backoffice:bulk": NOBODY,
    "questions_backoffice:answer": NOBODY,
    "questions_backoffice:assign": NOBODY,
    "questions_backoffice:deadline": NOBODY,
    "questions_backoffice:detail": READ,
    "questions_backoffice:figures": READ,
    "questions_backoffice:index": READ,
    "questions_backoffice:profile_create": MANAGE,
    "questions_backoffice:profile_edit": MANAGE,
    "questions_backoffice:profiles": READ,
    "reports_backoffice:api_key_revoke": NOBODY,
    "reports_backoffice:api_keys": ONLY_ADMIN,
    "reports_backoffice:bulk": NOBODY,
    "reports_backoffice:categories": MANAGE,
    "reports_backoffice:category_edit": MANAGE,
    "reports_backoffice:dashboard": frozenset({ADMIN, AGENT, ELECTED, MODERATOR}),
    "reports_backoffice:dashboard_csv": frozenset({ADMIN, AGENT, ELECTED, MODERATOR}),
    # Likely duplicates among the open reports (similar texts): read as the queue is; merged by a POST.
    "reports_backoffice:duplicates": frozenset({ADMIN, AGENT, ELECTED, MODERATOR}),
    "reports_backoffice:index": frozenset({ADMIN, AGENT, ELECTED, MODERATOR}),
    "reports_backoffice:merge": NOBODY,
    "reports_backoffice:photo_hide": NOBODY,
    "reports_backoffice:report": frozenset({ADMIN, AGENT, ELECTED, MODERATOR}),
    "reports_backoffice:service_edit": MANAGE,
    "reports_backoffice:services": MANAGE,
    "territory_backoffice:boundaries": ONLY_ADMIN,
    # Every role holder lists the background jobs; each job shows only to those holding the permission it names.
    "newsletters_backoffice:create": MANAGE,
    "newsletters_backoffice:edit": MANAGE,
    "newsletters_backoffice:figures": READ,
    "newsletters_backoffice:list": READ,
    "newsletters_backoffice:preview": MANAGE,
    "newsletters_backoffice:send": NOBODY,
    "newsletters_backoffice:test": NOBODY,
    "jobs:list": ALL,
    "jobs:detail": ALL,
    "jobs:download": ALL,
}

BACK_OFFICE = sorted(route for route in ROUTES if route.startswith("gestion/"))


@pytest.fixture
def world(sceaux, resident):
    """Sceaux with a space holding one component of every kind, and one item of each kind its URLs name."""
    from concerto.core import registry

    space = SpaceFactory(organisation=sceaux, slug="matrice", title="Espace de la matrice")
    step = StepFactory(space=space)
    values = {"org_slug": "sceaux", "space_slug": space.slug, "step_id": step.pk,
              "quartier_id": Quartier.objects.create(organisation=sceaux, name="Quartier de la matrice").pk}
    by_segment = {}
    for manifest in registry.components():
        component = ComponentFactory(space=space, kind=manifest.name, published=True)
        by_segment[manifest.segment] = {"component_id": component.pk,
                                        **ITEMS[manifest.name](component, resident, f"Matrice {manifest.name}")}
    values["component_id"] = next(iter(by_segment.values()))["component_id"]
    return {"space": space, "values": values, "by_segment": by_segment}


@pytest.fixture
def people(sceaux):
    """A web client with a second factor for each role of Sceaux, and for a resident without a role."""
    clients = {}
    for kind in ROLES:
        user = (testing.persona("sans-role@sceaux.example.org", mfa=True) if kind == "resident"
                else testing.persona(f"{kind}@sceaux.example.org", role=kind, organisation=sceaux))
        client = Client()
        testing.login_with_mfa(client, user)
        clients[kind] = client
    return clients


def url_of(route: str, world: dict) -> str:
    values = dict(world["values"])
    segment = re.search(r"/([a-z-]+)/<int:component_id>", route)
    if segment and segment[1] in world["by_segment"]:
        values.update(world["by_segment"][segment[1]])
    if "content_type_id" in route:
        from django.contrib.contenttypes.models import ContentType

        from concerto.core.spaces.models import Space

        values.update(content_type_id=ContentType.objects.get_for_model(Space).pk, object_id=world["space"].pk)
    if "<int:role_id>" in route:
        values["role_id"] = Role.objects.filter(kind=Role.Kind.AGENT).values_list("pk", flat=True).first()
    return "/" + CONVERTER.sub(lambda match: str(values.get(match["name"], "1")), route)


def _view_name(url: str) -> str:
    return resolve(url).view_name


def test_every_back_office_page_has_an_entry(world, people):
    names = {_view_name(url_of(route, world)) for route in BACK_OFFICE}
    assert names - set(READERS) == set(), "say in READERS who may open these pages"
    assert set(READERS) - names == set(), "these pages are gone: remove them from READERS"


def _elected_refusal(response, url) -> None:
    page = response.content.decode()
    assert "Votre rôle d’élu donne accès en lecture" in page, (url, re.findall(r"<main.*?</main>", page, re.S))


def test_every_role_opens_the_back_office_pages_of_its_entry_and_no_other(world, people):
    wrong = []
    for route in BACK_OFFICE:
        url = url_of(route, world)
        allowed = READERS[_view_name(url)]
        for kind, client in people.items():
            response = client.get(url)
            if allowed is NOBODY:
                expected_ok = response.status_code == 405
            elif kind in allowed:
                expected_ok = response.status_code not in (403, 500)
            else:
                expected_ok = response.status_code == 403
                if expected_ok and kind == ELECTED:
                    _elected_refusal(response, url)
            if not expected_ok:
                wrong.append((url, kind, response.status_code))
    assert wrong == []


def test_an_elected_official_changes_nothing_anywhere_and_is_told_why(world, people):
    from concerto.core.tests.test_tenancy_walk import _component_apps, _database

    before = _database(_component_apps())
    for route in BACK_OFFICE:
        url = url_of(route, world)
        response = people[ELECTED].post(url, {})
        assert response.status_code in (403, 405), (url, response.status_code)  # 405: a page that takes no POST
        if response.status_code == 403:
            _elected_refusal(response, url)
    assert _database(_component_apps()) == before


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.post_forms = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and (attrs.get("href") or "").startswith("/gestion/"):
            self.links.add(attrs["href"].split("#", 1)[0])
        if tag == "form" and (attrs.get("method") or "").lower() == "post" \
                and not (attrs.get("action") or "").startswith(("/i18n/", "/compte/")):
            self.post_forms.append(attrs.get("action") or "(this page)")


@pytest.mark.parametrize("kind", [*Role.Kind], ids=str)
def test_every_back_office_link_a_role_sees_opens_for_it(world, people, kind):
    """Crawl from the dashboard and from every page the role opens: no link leads to a 403. An elected
    official's pages show no form that changes something."""
    client = people[kind]
    start = ["/gestion/"] + [url_of(route, world) for route in BACK_OFFICE]
    seen, queue, broken, forms = set(), list(start), [], []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        if kind == ELECTED and parser.post_forms:
            forms.append((url, parser.post_forms))
        for link in parser.links - seen:
            answer = client.get(link)
            if answer.status_code == 403:
                broken.append((url, link))
            queue.append(link)
    assert sorted(broken) == [], "\n".join(map(str, sorted(broken)))
    assert forms == [], "\n".join(map(str, forms))
