import datetime

import pytest

from concerto.components.proposals import services as proposal_services
from concerto.core.accountability import services
from concerto.core.accountability.models import Decision
from concerto.testing import ComponentFactory, SpaceFactory


@pytest.fixture
def proposals(space, step):
    return ComponentFactory(space=space, kind="proposals", title="Idées pour Sceaux")


@pytest.fixture
def proposal(proposals, author):
    return proposal_services.proposal_create(
        author=author, component=proposals, title="Planter des arbres fruitiers dans les écoles",
        text="Des pommiers et des poiriers dans chaque cour d'école.")


@pytest.fixture
def montreuil_proposal(montreuil, resident):
    space = SpaceFactory(organisation=montreuil, slug="idees-montreuil", title="Idées pour Montreuil")
    component = ComponentFactory(space=space, kind="proposals", title="Idées")
    from concerto.testing import StepFactory

    StepFactory(space=space, title="Dépôt")
    return proposal_services.proposal_create(author=resident, component=component, title="Un marché bio le soir",
                                             text="Le jeudi soir, place de la mairie.")


@pytest.fixture
def decision(sceaux, space, agent):
    return services.decision_create(actor=agent, organisation=sceaux, space=space,
                                    title="Végétalisation des cours d’école",
                                    text="Le conseil municipal adopte le plan.", decided_on=datetime.date(2026, 3, 12),
                                    body=Decision.Body.MUNICIPAL_COUNCIL, deliberation_number="2026-031")
