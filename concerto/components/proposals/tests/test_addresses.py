"""A proposal's place is shown as an address: the one chosen or typed, else the one found at its point."""

import pytest

from concerto.components.proposals import services
from concerto.core.maps import Point

pytestmark = pytest.mark.django_db


def test_a_proposal_placed_on_the_map_shows_the_address_found_at_its_point(client, proposals, author, geocoder):
    proposal = services.proposal_create(author=author, component=proposals, title="Un banc",
                                        text="Devant la boulangerie.", point=(48.77800, 2.29020))

    assert proposal.address == "12 Rue Houdan 92330 Sceaux"
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "12 Rue Houdan 92330 Sceaux" in page and "latitude 48" not in page


def test_the_address_the_author_gave_is_kept_and_moving_the_point_finds_a_new_one(proposals, author, geocoder):
    proposal = services.proposal_create(author=author, component=proposals, title="Un banc", text="Au parc.",
                                        point=Point(48.7787, 2.2905, "Près du bassin"))
    assert proposal.address == "Près du bassin"

    services.proposal_update(actor=author, proposal=proposal, point=(48.77800, 2.29020))

    proposal.refresh_from_db()
    assert proposal.address == "12 Rue Houdan 92330 Sceaux"


def test_with_the_geocoder_down_the_proposal_is_saved_and_the_worker_adds_the_address(
        proposals, author, geocoder, django_capture_on_commit_callbacks):
    geocoder.mode = "down"
    with django_capture_on_commit_callbacks() as callbacks:
        proposal = services.proposal_create(author=author, component=proposals, title="Un banc", text="Au parc.",
                                            point=(48.77800, 2.29020))
    assert proposal.pk and proposal.address == ""

    geocoder.mode = "ok"
    for callback in callbacks:
        callback()
    proposal.refresh_from_db()
    assert proposal.address == "12 Rue Houdan 92330 Sceaux"
