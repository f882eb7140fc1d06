"""The demo gives Sceaux's dialogue figures something to show: followers over months, push and digest subscribers,
digests sent, quick poll answers by channel, questions; loading it again changes nothing."""

import pytest
from django.core.management import call_command

from concerto.core.participation.dialogue import dialogue_for
from concerto.core.participation.tests.test_overview import testing_french
from concerto.core.territory.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_demo_fills_sceaux_s_dialogue_figures():
    call_command("load_demo", verbosity=0)
    sceaux = Organisation.objects.get(slug="sceaux")
    with testing_french():
        figures = dialogue_for(organisation=sceaux)
        titles = {chart.title: chart for chart in figures.charts}
        assert figures.followers >= 12 and figures.push_subscribers >= 4 and figures.digest_subscribers >= 6
        assert figures.digests_sent > 0
        months = [value for _label, value in titles["Abonnés à la fin de chaque mois"].rows]
        assert months[0] < months[-1]  # the curve rises over the year
        assert len(titles["Réponses aux sondages express par canal"].rows) == 3
        assert titles["Questions aux élus"].rows[0] == ("Questions posées", 3)
    call_command("load_demo", verbosity=0)
    assert dialogue_for(organisation=sceaux).followers == figures.followers
