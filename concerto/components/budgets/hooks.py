"""What the budgets component hands to the kernel's hooks (see its manifest)."""

from concerto.components.budgets.models import Project
from concerto.core.participation.submissions.services import submission_free_texts


def free_texts(component):
    """Themes read the description of each public project (residents submit them; hidden and withdrawn projects
    are left out, as the public list does)."""
    return submission_free_texts(Project.objects.public().filter(component=component), "budgets.project")
