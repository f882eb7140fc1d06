"""The budgets' figures for Prometheus (the manifest's `metrics`, read by concerto/core/metrics.py at each scrape).

Ballots are counted from the table, not by a counter in the web process: every app server and every process
then gives the same figure, and a ballot replaced by its voter counts once. `rate(concerto_ballots[1m])` is
the vote's pace (a gauge that only grows while a vote is open).
"""

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from concerto.components.budgets.models import Ballot


def metrics():
    ballots = GaugeMetricFamily("concerto_ballots", "Ballots cast in participatory budgets (one per voter and "
                                "budget), by channel.", labels=["channel"])
    for row in Ballot.objects.values("channel").annotate(n=Count("pk")).order_by():
        ballots.add_metric([row["channel"]], row["n"])
    yield ballots
