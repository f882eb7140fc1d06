"""Themes of a space's free texts: found, labelled in French, kept through recomputations with the agents' edits,
read and edited only by the space's organisation."""

from collections import Counter

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from concerto.components.proposals.models import Proposal
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.services import comment_create
from concerto.core.texts import clustering, themes
from concerto.core.texts.models import SpaceThemes, Theme, ThemeText
from concerto.core.texts.tests.corpus import CYCLING, LITTER, SUBJECTS, TREES
from concerto.testing import ComponentFactory

pytestmark = pytest.mark.django_db


def test_three_clear_subjects_are_found_and_labelled_with_words_people_wrote():
    texts = [text for subject in SUBJECTS for text in subject]
    truth = [index for index, subject in enumerate(SUBJECTS) for _text in subject]
    reading = clustering.read(texts)
    labels = clustering.clusters(reading.z).tolist()
    assert len(set(labels)) >= 3
    # Purity: each theme is mostly one subject.
    majority = sum(Counter(t for t, label in zip(truth, labels, strict=True) if label == theme).most_common(1)[0][1]
                   for theme in set(labels))
    assert majority / len(texts) >= 0.9
    # Each subject has a theme of its own where most of its texts are.
    homes = {Counter(label for t, label in zip(truth, labels, strict=True) if t == s).most_common(1)[0][0]
             for s in range(3)}
    assert len(homes) == 3
    written = " ".join(texts).lower()
    overall = clustering.overall_mean(reading)
    for theme in set(labels):
        described = clustering.describe(reading, [i for i, label in enumerate(labels) if label == theme], overall)
        assert described.words and all(word in written for word in described.words)
        assert described.label[0].isupper()


def test_the_same_texts_give_the_same_themes():
    texts = [text for subject in SUBJECTS for text in subject]
    assert clustering.clusters(clustering.read(texts).z).tolist() == clustering.clusters(
        clustering.read(texts).z).tolist()


def test_too_few_texts_say_so():
    with pytest.raises(clustering.NotEnoughTexts):
        clustering.read(CYCLING[:5])


@pytest.fixture
def proposals(space):
    return ComponentFactory(space=space, kind="proposals", published=True)


def _propose(component, texts, author=None):
    made = []
    for text in texts:
        title, _dot, body = text.partition(". ")
        made.append(Proposal.objects.create(component=component, title=title, text=f"<p>{body}</p>", author=author))
    return made


def _theme_of(space, proposal) -> Theme:
    number = ThemeText.objects.get(space=space, kind="proposals.proposal", item_id=proposal.pk).number
    return Theme.objects.get(space=space, number=number)


def test_a_space_s_proposals_become_themes_with_examples_linking_to_them(space, proposals):
    made = _propose(proposals, [text for subject in SUBJECTS for text in subject])
    hidden = made[0]
    Proposal.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    outcome = themes.recompute(space)
    assert outcome.themes >= 3 and outcome.texts == len(made) - 1
    assert not ThemeText.objects.filter(item_id=hidden.pk, kind="proposals.proposal").exists()
    assert sum(theme.size for theme in Theme.objects.filter(space=space)) == len(made) - 1
    theme = _theme_of(space, made[1])
    assert theme.central["url"].startswith("/") and theme.examples[0]["text"]
    summary = themes.themes_summary(space)
    assert summary[0]["size"] >= summary[-1]["size"] and summary[0]["examples"][0]["url"]


def test_comments_of_the_space_are_read_and_hidden_ones_are_not(space, proposals, resident):
    made = _propose(proposals, [text for subject in SUBJECTS for text in subject])
    comment = comment_create(author=resident, target=made[0], body="Une piste cyclable protégée, vite !")
    themes.recompute(space)
    assert ThemeText.objects.filter(space=space, kind="participation.comment", item_id=comment.pk).exists()


def test_too_few_texts_leave_no_theme_and_the_page_says_so(space, proposals, agent, staff_client):
    _propose(proposals, CYCLING[:4])
    assert themes.recompute(space).themes == 0
    response = staff_client(agent).get(f"/gestion/sceaux/{space.slug}/themes/")
    assert response.status_code == 200
    assert "at least 10 texts" in response.content.decode() or "au moins 10 textes" in response.content.decode()


def _members(space, number) -> set:
    return set(ThemeText.objects.filter(space=space, number=number).values_list("item_id", flat=True))


def test_edits_stay_when_texts_are_added(space, proposals):
    made = _propose(proposals, CYCLING[:8] + TREES[:8] + LITTER[:8])
    themes.recompute(space)
    cycling, trees, litter = (_theme_of(space, made[i]) for i in (0, 8, 16))
    renamed_texts = _members(space, cycling.number)
    both = _members(space, trees.number) | _members(space, litter.number)
    assert trees.number != litter.number
    user = AnonymousUser()
    themes.theme_rename(space=space, user=user, theme=cycling, name="Vélo en ville")
    themes.theme_merge(space=space, user=user, theme=trees, other=litter)
    themes.recompute(space)  # what the queued task does
    assert Theme.objects.get(space=space, number=cycling.number).name == "Vélo en ville"
    merged_texts = _members(space, trees.number)
    assert _members(space, litter.number) == set()
    assert merged_texts == both
    stray = made[17]  # a litter text, now in the merged theme, moved to the renamed one
    themes.text_move(space=space, user=user, text=ThemeText.objects.get(space=space, item_id=stray.pk),
                     theme=Theme.objects.get(space=space, number=cycling.number))
    # New texts arrive; the recomputation keeps every edit.
    made += _propose(proposals, CYCLING[8:] + TREES[8:] + LITTER[8:])
    themes.recompute(space)
    renamed = Theme.objects.get(space=space, name="Vélo en ville")
    assert renamed.number == cycling.number
    assert len(_members(space, renamed.number) & renamed_texts) >= len(renamed_texts) // 2
    assert _theme_of(space, stray).number == cycling.number
    assert not Theme.objects.filter(space=space, number=litter.number).exists()  # still merged
    assert len(_members(space, trees.number) & merged_texts) >= len(merged_texts) // 2


def test_a_split_theme_stays_split(space, proposals):
    made = _propose(proposals, CYCLING[:8] + TREES[:8] + LITTER[:8])
    themes.recompute(space)
    before = Theme.objects.filter(space=space).count()
    cycling = _theme_of(space, made[0])
    members = _members(space, cycling.number)
    edit = themes.theme_split(space=space, user=AnonymousUser(), theme=cycling)
    themes.recompute(space)  # what the queued task does
    assert Theme.objects.filter(space=space).count() == before + 1
    halves = {cycling.number, edit.other}
    first = {number: _members(space, number) for number in halves}
    assert all(first.values()) and set().union(*first.values()) == members
    made += _propose(proposals, LITTER[8:])
    themes.recompute(space)
    # Both halves are still there; the texts split off stay together.
    assert Theme.objects.filter(space=space, number__in=halves).count() == 2
    assert first[edit.other] <= _members(space, edit.other)


def test_a_new_contribution_queues_a_recomputation_of_existing_themes(space, proposals, resident,
                                                                      django_capture_on_commit_callbacks):
    made = _propose(proposals, CYCLING + TREES + LITTER)
    themes.recompute(space)
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(author=resident, target=made[0], body="Des arceaux à vélo devant la mairie.")
    # The tests' task backend runs the queued recomputation at once.
    assert SpaceThemes.objects.get(space=space).texts == len(made) + 1
    assert SpaceThemes.objects.get(space=space).due_at is None


def test_agents_edit_elected_officials_read_and_bad_input_is_refused(space, proposals, agent, elected,
                                                                      staff_client, client):
    made = _propose(proposals, CYCLING + TREES + LITTER)
    themes.recompute(space)
    theme = _theme_of(space, made[0])
    base = f"/gestion/sceaux/{space.slug}/themes/"
    response = staff_client(elected).get(base)
    assert response.status_code == 200 and theme.label in response.content.decode()
    assert staff_client(elected).post(f"{base}{theme.number}/renommer/", {"name": "X"}).status_code == 403
    client.logout()
    agent_client = staff_client(agent)
    assert agent_client.post(f"{base}{theme.number}/renommer/", {"name": "  "}).status_code == 400
    assert agent_client.post(f"{base}{theme.number}/renommer/", {"name": "x" * 151}).status_code == 400
    assert agent_client.post(f"{base}9999/renommer/", {"name": "Vélo"}).status_code == 404
    assert agent_client.post(f"{base}{'9' * 30}/renommer/", {"name": "Vélo"}).status_code == 404
    assert agent_client.post(f"{base}{theme.number}/fusionner/", {"other": theme.number}).status_code == 400
    assert agent_client.post(f"{base}{theme.number}/fusionner/", {"other": "abc"}).status_code == 400
    assert agent_client.post(f"{base}deplacer-un-texte/", {"text": "proposals.proposal:x", "theme": "1"}
                             ).status_code == 400
    response = agent_client.post(f"{base}{theme.number}/renommer/", {"name": "Vélo en ville"})
    assert response.status_code == 302
    assert "Vélo en ville" in agent_client.get(base).content.decode()
    assert AuditEntry.objects.filter(action="themes.renamed", organisation=space.organisation).exists()
    assert agent_client.post(f"{base}recalculer/").status_code == 302
    assert AuditEntry.objects.filter(action="themes.recompute_requested").exists()


def test_another_commune_neither_reads_nor_edits_the_themes(space, proposals, outsider, staff_client, client):
    made = _propose(proposals, CYCLING + TREES + LITTER)
    themes.recompute(space)
    theme = _theme_of(space, made[0])
    outside = staff_client(outsider)
    assert outside.get(f"/gestion/sceaux/{space.slug}/themes/").status_code in (403, 404)
    assert outside.get(f"/gestion/montreuil/{space.slug}/themes/").status_code == 404
    assert outside.post(f"/gestion/montreuil/{space.slug}/themes/{theme.number}/renommer/",
                        {"name": "Piraté"}).status_code == 404
    assert outside.post(f"/gestion/sceaux/{space.slug}/themes/{theme.number}/renommer/",
                        {"name": "Piraté"}).status_code in (403, 404)
    assert not Theme.objects.filter(name="Piraté").exists()
    client.logout()
    assert client.get(f"/gestion/sceaux/{space.slug}/themes/").status_code == 302  # to the login page
