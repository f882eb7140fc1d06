import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
application = get_wsgi_application()

# Vote day: API ballots that are surely accepted are answered in front of Django, everything else by Django
# (concerto/components/budgets/intake.py; CONCERTO_BALLOT_FAST_LANE, on by default with PostgreSQL).
from django.conf import settings  # noqa: E402

if settings.CONCERTO_BALLOT_FAST_LANE:
    from concerto.components.budgets.intake import BallotFastLane

    application = BallotFastLane(application)

# Loud at start-up: a production process without Redis keeps its send limits and cache to itself.
from concerto.core.deployment import warn_at_start  # noqa: E402

warn_at_start()
