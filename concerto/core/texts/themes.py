"""Themes of a space's free texts, kept through recomputations with the agents' edits (docs/architecture.md
"Themes in French free text").

- **Texts**: each component of the space hands its public texts through its manifest's `free_texts`
  (proposals, questionnaire written answers, reports, budget projects); the kernel adds the visible comments
  written in the space's published components.
- **Computed** by the task worker only (`themes_recompute_task`): debounced (DELAY) after a new contribution in a
  space whose themes exist, at once when an agent asks or edits. The maths are in `clustering.py`.
- **Numbers**: a theme keeps its number from one run to the next when the new clustering finds a theme sharing
  enough texts with it (`clustering.match`, on the themes *before* the edits), so that the edits keep naming the
  same themes.
- **Edits** (ThemeEdit) are replayed in order on every run: a rename gives the theme its name, a merge puts the
  second theme's texts into the first, a split cuts a theme in two by k-means (the half holding more of the
  texts that went away at the time takes the new number), a move puts a text in a theme.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from concerto.core import registry
from concerto.core.participation.models import Comment, Contribution
from concerto.core.registry import FreeText
from concerto.core.spaces.models import Space
from concerto.core.texts import clustering
from concerto.core.texts.models import SpaceThemes, Theme, ThemeEdit, ThemeText

DELAY = timedelta(seconds=60)
# A recomputation queued longer ago than this was lost (a worker died): a new contribution queues another.
LOST_AFTER = timedelta(minutes=15)
EXAMPLE_CHARACTERS = 300


def comment_free_texts(space):
    """The kernel's part: the visible comments written on items of the space's published components."""
    written = Contribution.objects.filter(kind="participation.comment", component__space=space,
                                          component__published=True).values("target_id")
    comments = (Comment.objects.visible().filter(pk__in=written).order_by("pk").prefetch_related("target"))
    for comment in comments.iterator(chunk_size=1000):
        yield FreeText(kind="participation.comment", id=comment.pk, text=comment.body,
                       url=comment.get_absolute_url(), created_at=comment.created_at)


def space_free_texts(space) -> list[FreeText]:
    """Every public free text of SPACE, once each, in a stable order."""
    found = {}
    manifests = {manifest.name: manifest for manifest in registry.components()}
    for component in space.components.filter(published=True).order_by("pk"):
        manifest = manifests.get(component.kind)
        if manifest is None or manifest.free_texts is None:
            continue
        for text in manifest.free_texts(component):
            if (text.text or "").strip():
                found[(text.kind, text.id)] = text
    for text in comment_free_texts(space):
        if text.text.strip():
            found[(text.kind, text.id)] = text
    return [found[key] for key in sorted(found)]


def key_of(text: FreeText) -> str:
    return f"{text.kind}:{text.id}"


@dataclass
class Outcome:
    themes: int
    texts: int
    reason: str = ""


def _split(edit, assignment: dict, reading, row_of: dict) -> None:
    """Replay a split: the first time, k-means cuts the theme in two and the smaller half (kept on the edit) takes
    the new number. Afterwards the texts that left then go to the new theme wherever the clustering put them (an
    agent's cut stays), and each other text of the theme goes to the half whose centre is nearer."""
    members = sorted(key for key, number in assignment.items() if number == edit.number)
    if not edit.keys:
        if len(members) < 2:
            return
        halves = clustering.split_in_two(reading.z[[row_of[key] for key in members]])
        edit.keys = [key for key, half in zip(members, halves.tolist(), strict=True) if half == 1]
        ThemeEdit.objects.filter(pk=edit.pk).update(keys=edit.keys)
    away = [key for key in edit.keys if key in assignment]
    stay = [key for key in members if key not in set(away)]
    for key in away:
        assignment[key] = edit.other
    if not away or not stay:
        return
    centres = [reading.z[[row_of[key] for key in keys]].mean(axis=0) for keys in (stay, away)]
    rows = reading.z[[row_of[key] for key in stay]]
    nearer_away = rows @ centres[1] > rows @ centres[0]
    for key, moves in zip(stay, nearer_away.tolist(), strict=True):
        if moves:
            assignment[key] = edit.other


def _replay(edits, assignment: dict, reading, row_of: dict, names: dict) -> None:
    """Apply EDITS in order to ASSIGNMENT (text key -> theme number), in place; NAMES gets the renames."""
    for edit in edits:
        present = set(assignment.values())
        if edit.kind == ThemeEdit.Kind.RENAME:
            names[edit.number] = edit.name
        elif edit.kind == ThemeEdit.Kind.MERGE and edit.other in present and edit.number in present:
            for key, number in assignment.items():
                if number == edit.other:
                    assignment[key] = edit.number
        elif edit.kind == ThemeEdit.Kind.SPLIT and edit.number in present:
            _split(edit, assignment, reading, row_of)
        elif edit.kind == ThemeEdit.Kind.MOVE and edit.text in assignment and edit.number in present:
            assignment[edit.text] = edit.number


def recompute(space: Space) -> Outcome:
    """Cluster SPACE's texts into themes, keep numbers, replay the edits and store the result (in the worker)."""
    state, _created = SpaceThemes.objects.get_or_create(space=space)
    SpaceThemes.objects.filter(pk=state.pk).update(due_at=None)
    texts = space_free_texts(space)
    try:
        reading = clustering.read([text.text for text in texts])
        labels = clustering.clusters(reading.z)
    except clustering.NotEnoughTexts as reason:
        with transaction.atomic():
            Theme.objects.filter(space=space).delete()
            SpaceThemes.objects.filter(pk=state.pk).update(computed_at=timezone.now(), texts=len(texts),
                                                           reason=str(reason)[:200])
        return Outcome(themes=0, texts=len(texts), reason=str(reason))
    kept = [texts[i] for i in reading.kept]
    keys = [key_of(text) for text in kept]
    row_of = {key: row for row, key in enumerate(keys)}
    new: dict[int, set] = {}
    for key, label in zip(keys, labels.tolist(), strict=True):
        new.setdefault(label, set()).add(key)
    old: dict[int, set] = {}
    for kind, item_id, raw in ThemeText.objects.filter(space=space).values_list("kind", "item_id", "raw_number"):
        old.setdefault(raw, set()).add(f"{kind}:{item_id}")
    numbers, next_number = clustering.match(new, old, state.next_number)
    raw = {key: numbers[label] for key, label in zip(keys, labels.tolist(), strict=True)}
    assignment = dict(raw)
    names: dict[int, str] = {}
    _replay(ThemeEdit.objects.filter(space=space), assignment, reading, row_of, names)
    next_number = max([next_number, *(number + 1 for number in assignment.values())])
    overall = clustering.overall_mean(reading)
    members: dict[int, list[int]] = {}
    for key, number in assignment.items():
        members.setdefault(number, []).append(row_of[key])
    themes = []
    for number, rows in sorted(members.items()):
        described = clustering.describe(reading, sorted(rows), overall)
        examples = [{"kind": kept[row].kind, "id": kept[row].id, "url": kept[row].url,
                     "text": kept[row].text[:EXAMPLE_CHARACTERS]} for row in described.order[:clustering.EXAMPLES]]
        themes.append(Theme(space=space, number=number, name=names.get(number, ""), label=described.label[:200],
                            words=described.words, size=len(rows), examples=examples))
    with transaction.atomic():
        Theme.objects.filter(space=space).delete()
        Theme.objects.bulk_create(themes)
        ThemeText.objects.filter(space=space).delete()
        ThemeText.objects.bulk_create(
            [ThemeText(space=space, kind=text.kind, item_id=text.id, raw_number=raw[key], number=assignment[key])
             for text, key in zip(kept, keys, strict=True)], batch_size=2000)
        SpaceThemes.objects.filter(pk=state.pk).update(computed_at=timezone.now(), texts=len(texts), reason="",
                                                       next_number=next_number)
    return Outcome(themes=len(themes), texts=len(texts))


@task()
def themes_recompute_task(space_id: int) -> None:
    space = Space.objects.filter(pk=space_id).first()
    if space is not None:
        recompute(space)


def themes_schedule(space: Space, *, delay: timedelta = DELAY) -> bool:
    """Queue a recomputation of SPACE's themes DELAY from now, unless one is queued already (the debounce).
    True when one was queued."""
    state, _created = SpaceThemes.objects.get_or_create(space=space)
    now = timezone.now()
    due = now + delay
    queued = SpaceThemes.objects.filter(Q(due_at__isnull=True) | Q(due_at__lt=now - LOST_AFTER),
                                        pk=state.pk).update(due_at=due)
    if queued:
        task_ = themes_recompute_task
        if delay and task_.get_backend().supports_defer:  # the immediate backend (tests) runs it at once
            task_ = task_.using(run_after=due)
        transaction.on_commit(lambda: task_.enqueue(space.pk))
    return bool(queued)


def text_kinds() -> set[str]:
    """The ledger's kinds of contributions that bring a free text: the manifests' and the kernel's comments."""
    return {"participation.comment", *(kind for manifest in registry.components() for kind in manifest.free_text_kinds)}


def contribution_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    """A new contribution bringing a text, in a component of a space whose themes exist, queues their
    recomputation (one query; none for a support or a vote)."""
    if not created or raw or instance.component_id is None or instance.kind not in text_kinds():
        return
    space = Space.objects.filter(components=instance.component_id, themes_state__isnull=False).first()
    if space is not None:
        themes_schedule(space)


# The agents' edits: each is stored, then a recomputation is queued at once (the page says so). ---------------

def _edit(space, user, **fields) -> ThemeEdit:
    edit = ThemeEdit.objects.create(space=space, created_by=user if user.is_authenticated else None, **fields)
    themes_schedule(space, delay=timedelta(0))
    return edit


def theme_rename(*, space, user, theme: Theme, name: str) -> ThemeEdit:
    Theme.objects.filter(pk=theme.pk).update(name=name)
    return _edit(space, user, kind=ThemeEdit.Kind.RENAME, number=theme.number, name=name)


def theme_merge(*, space, user, theme: Theme, other: Theme) -> ThemeEdit:
    return _edit(space, user, kind=ThemeEdit.Kind.MERGE, number=theme.number, other=other.number)


def theme_split(*, space, user, theme: Theme) -> ThemeEdit:
    """Split THEME in two: the new theme's number is taken now; its texts are found by the recomputation (the
        worker: clustering never runs in a request), which keeps them on the edit."""
    with transaction.atomic():
        state = SpaceThemes.objects.select_for_update().get(space=space)
        number = state.next_number
        SpaceThemes.objects.filter(pk=state.pk).update(next_number=number + 1)
    return _edit(space, user, kind=ThemeEdit.Kind.SPLIT, number=theme.number, other=number)


def text_move(*, space, user, text: ThemeText, theme: Theme) -> ThemeEdit:
    ThemeText.objects.filter(pk=text.pk).update(number=theme.number)
    return _edit(space, user, kind=ThemeEdit.Kind.MOVE, number=theme.number, text=text.key)


def themes_summary(space) -> list[dict]:
    """For the synthesis page: each theme's label (an agent's name first), size and examples (text, url), the
    largest first."""
    return [{"label": theme.title, "size": theme.size, "words": theme.words,
             "examples": [{"text": example["text"], "url": example["url"]} for example in theme.examples]}
            for theme in Theme.objects.filter(space=space)]
