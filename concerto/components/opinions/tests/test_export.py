"""The Polis openData export of a seeded: the three files with Polis's columns, participants renumbered 0..n-1
(no account id), hidden statements without their text, public only when the seeded is; read back by the
component's own `opinion_groups` code, it gives the stored groups."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from concerto.components.opinions import cli, export, moderation, services
from concerto.components.opinions.models import GroupsResult, Statement, Vote
from concerto.components.opinions.tests.conftest import voters
from concerto.components.opinions.tests.test_maths import DATA

pytestmark = pytest.mark.django_db


def _url(seeded, url_name, **extra):
    space = seeded.component.space
    return reverse(f"opinions:{url_name}", kwargs={"org_slug": space.organisation.slug, "space_slug": space.slug,
                                               "component_id": seeded.component_id, "conversation_id": seeded.pk,
                                               **extra})


def _header(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def _unzip(content: bytes, folder):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == sorted(export.FILES)
        archive.extractall(folder)


def test_the_export_read_back_gives_the_stored_groups(client, seeded, resident, tmp_path):
    people = voters(seeded, 40)
    rejected = Statement.objects.create(conversation=seeded, text="Texte hors charte", author=resident,
                                        status=Statement.Status.REJECTED)
    Vote.objects.create(statement=rejected, participant=f"u{people[0].pk}", user=people[0], value=1)
    stored = services.recompute_groups(seeded)
    assert stored.k == 2
    response = client.get(_url(seeded, "export_zip"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    _unzip(b"".join(response.streaming_content), tmp_path)

    # The same columns as pol.is's files.
    seattle = DATA / "15-per-hour-seattle"
    for name in ("comments.csv", "votes.csv"):
        assert _header(tmp_path / name) == _header(seattle / name)
    assert _header(tmp_path / "participants-votes.csv")[:6] == _header(seattle / "participants-votes.csv")[:6]

    # Read back with the command's code: the same partition, the same consensus and representative statements.
    computed = cli.compute(tmp_path)
    with (tmp_path / "participants-votes.csv").open(newline="", encoding="utf-8") as handle:
        exported_groups = {row["participant"]: row["group-id"] for row in csv.DictReader(handle)}
    assert computed["k"] == stored.k
    assert computed["consensus"] == stored.data["consensus"]
    assert computed["representative"] == stored.data["representative"]
    assert {number: str(group) for number, group in computed["groups"].items()} == {
        number: group for number, group in exported_groups.items() if group != ""}
    # Renumbered 0..n-1: no account id leaks.
    assert sorted(int(number) for number in exported_groups) == list(range(len(exported_groups)))


def test_hidden_statements_keep_their_votes_but_not_their_text(client, seeded, resident):
    Statement.objects.create(conversation=seeded, text="Secret en attente", author=resident)
    Statement.objects.create(conversation=seeded, text="Secret rejeté", author=resident, status="rejected")
    body = client.get(_url(seeded, "export_csv", name="comments")).content.decode()
    assert "Secret" not in body and body.startswith("timestamp,datetime,comment-id,author-id")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["moderated"] for row in rows] == ["1"] * 5 + ["0", "-1"]
    # Participant 0 is the agent who wrote the seed statements (as Polis numbers the seeded's owner), 1 the resident.
    assert {row["author-id"] for row in rows[:5]} == {"0"} and {row["author-id"] for row in rows[-2:]} == {"1"}
    assert f"u{resident.pk}" not in client.get(_url(seeded, "export_csv", name="participants-votes")).content.decode()


def test_the_last_vote_is_exported_with_polis_values(client, seeded, resident):
    statement = seeded.statements.first()
    services.vote(statement, resident, 1)
    services.vote(statement, resident, -1)
    rows = list(csv.DictReader(io.StringIO(client.get(_url(seeded, "export_csv", name="votes")).content.decode())))
    assert [(row["comment-id"], row["voter-id"], row["vote"]) for row in rows] == [(str(statement.pk), "1", "-1")]
    assert rows[0]["timestamp"].isdigit() and "UTC" in rows[0]["datetime"]


def test_a_draft_debate_is_not_exported_to_the_public(client, opinions, agent):
    draft = moderation.conversation_create(actor=agent, component=opinions, question="Brouillon ?", seeds=["A"])
    assert client.get(_url(draft, "export_zip")).status_code == 404
    assert client.get(_url(draft, "export_csv", name="votes")).status_code == 404
    assert client.get(_url(draft, "export_csv", name="summary")).status_code == 404


def test_an_unknown_file_is_a_404(client, seeded):
    assert client.get(_url(seeded, "export_csv", name="secrets")).status_code == 404
    assert not GroupsResult.objects.exists()
