"""The components' named permissions, as a matrix: each role of the commune, the same role in another commune,
the Métropole's administrator, a resident, and a role whose session skipped the second factor.

Every permission a manifest declares must appear in EXPECTED, so a new one comes with its matrix.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from concerto import testing
from concerto.core import registry
from concerto.core.accounts.models import Role
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db

ADMIN, AGENT, ELECTED, EVALUATOR, MODERATOR = (Role.Kind.ADMIN, Role.Kind.AGENT, Role.Kind.ELECTED,
                                               Role.Kind.EVALUATOR, Role.Kind.MODERATOR)
EXPECTED = {
    "budgets.read_review": {ADMIN, AGENT, EVALUATOR, ELECTED},
    "budgets.review": {ADMIN, AGENT, EVALUATOR},
    "budgets.manage": {ADMIN, AGENT},
    "budgets.decide_paper": {ADMIN},
    "reports.read_reports": {ADMIN, AGENT, ELECTED, MODERATOR},
    "reports.handle_report": {ADMIN, AGENT},
    "reports.hide_photo": {ADMIN, AGENT, MODERATOR},
    "reports.manage_api_keys": {ADMIN},
    "events.moderate_board": {ADMIN, AGENT, MODERATOR},
    # Accepting and rejecting the statements of an opinion debate: the managers and the moderators.
    "opinions.moderate_statements": {ADMIN, AGENT, MODERATOR},
    # Elected officials answer the questions assigned to them (the service checks the assignment).
    "questions.answer": {ADMIN, AGENT, ELECTED},
    # Results kept for the team (the component's results are not public here): any role reads them.
    "consultations.read_results": set(Role.Kind),
}
DECLARED = sorted(name for manifest in registry.components() for name in manifest.permissions)


def test_every_declared_permission_has_its_matrix_here():
    assert set(DECLARED) == set(EXPECTED)


def test_a_manifest_permission_must_carry_the_component_s_name():
    with pytest.raises(ValueError):
        registry.register(registry.ComponentManifest(name="tenancy_probe", label="x",
                                                     permissions={"budgets.steal": lambda user, obj: True}))


@pytest.fixture
def sceaux_component(sceaux):
    # A draft component, so that no permission is granted by publication (consultations' public results).
    return ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="matrice"), kind="consultations",
                            published=False)


@pytest.mark.parametrize("name", DECLARED)
def test_named_permission_matrix(name, sceaux, montreuil, metropole, resident, sceaux_component):
    for kind in Role.Kind:
        here = testing.persona(f"{kind}-here@example.org", role=kind, organisation=sceaux)
        there = testing.persona(f"{kind}-there@example.org", role=kind, organisation=montreuil)
        assert here.has_perm(name, sceaux_component) is (kind in EXPECTED[name]), (name, kind, "Sceaux")
        assert here.has_perm(name, sceaux) is (kind in EXPECTED[name]), (name, kind, "Sceaux, organisation")
        assert there.has_perm(name, sceaux_component) is False, (name, kind, "outsider")
        # A role counts only in a session that passed the second factor.
        here.concerto_second_factor = False
        here.__dict__.pop("_concerto_role_cache", None)
        assert here.has_perm(name, sceaux_component) is False, (name, kind, "password-only session")
    above = testing.persona("admin-metropole@example.org", role=ADMIN, organisation=metropole)
    assert above.has_perm(name, sceaux_component) is (ADMIN in EXPECTED[name])
    assert resident.has_perm(name, sceaux_component) is False
    assert AnonymousUser().has_perm(name, sceaux_component) is False


def test_public_results_are_read_by_everyone_and_kept_results_by_the_team_only(sceaux, resident, elected,
                                                                               sceaux_component):
    sceaux_component.published = True
    sceaux_component.settings = {"results_visibility": "public"}
    sceaux_component.save()
    sceaux_component.space.status = "published"
    sceaux_component.space.save()
    assert AnonymousUser().has_perm("consultations.read_results", sceaux_component)
    assert resident.has_perm("consultations.read_results", sceaux_component)
    sceaux_component.settings = {"results_visibility": "staff"}
    assert not resident.has_perm("consultations.read_results", sceaux_component)
    assert elected.has_perm("consultations.read_results", sceaux_component)
