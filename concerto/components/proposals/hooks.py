"""What the proposals component hands to the kernel's hooks (see its manifest)."""

from concerto.components.proposals.models import Proposal
from concerto.core.participation.submissions.services import submission_free_texts


def free_texts(component):
    """Themes read each public proposal, title and text (hidden ones are left out; withdrawn ones too: their
    author took them back)."""
    return submission_free_texts(Proposal.objects.public().filter(component=component, withdrawn_at__isnull=True),
                                 "proposals.proposal")
