"""The proposals' fixtures (a component of Sceaux, a category, a proposal), for the tests of what residents contribute
after a scan or on behalf of an actor, through the proposals' pages and comments."""

from concerto.components.proposals.tests.conftest import category as category
from concerto.components.proposals.tests.conftest import proposal as proposal
from concerto.components.proposals.tests.conftest import proposals as proposals
