import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
application = get_wsgi_application()

# Hot request shapes answered in front of Django when they are surely accepted, everything else by Django
# (concerto/core/fastlane.py): API ballots on a vote day (CONCERTO_BALLOT_FAST_LANE, on by default with
# PostgreSQL), the chat webhooks (CONCERTO_WEBHOOK_FAST_LANE, on by default) and quick poll answers
# (CONCERTO_POLL_FAST_LANE, on by default; PostgreSQL only).
from django.conf import settings  # noqa: E402

from concerto.core.fastlane import FastLanes  # noqa: E402

lanes = []
if settings.CONCERTO_BALLOT_FAST_LANE:
    from concerto.components.budgets.intake import BallotLane

    lanes.append(BallotLane())
if settings.CONCERTO_WEBHOOK_FAST_LANE:
    from concerto.channels.lanes import WebhookLane

    lanes.append(WebhookLane())
if settings.CONCERTO_POLL_FAST_LANE:
    from concerto.components.polls.lane import PollLane

    lanes.append(PollLane())
if lanes:
    application = FastLanes(application, lanes)

# Loud at start-up: a production process without Redis keeps its send limits and cache to itself.
from concerto.core.deployment import warn_at_start  # noqa: E402

warn_at_start()
