"""The results page's figures, from the last computation of the groups (GroupsResult) and the votes: the opinion map
drawn as SVG on the server, its table, each group's representative statements with their shares in and out of the
group, the consensus and the divisive statements, and the votes per statement."""

from django.utils.translation import gettext as _

from concerto.components.opinions.models import GroupsResult
from concerto.components.opinions.services import divisiveness, statement_stats

LETTERS = "ABCDE"
# Each group has a colour AND a shape (and a letter in the legend and the table): never told by colour alone.
SHAPES = ("circle", "square", "triangle", "diamond", "cross")
WIDTH, HEIGHT, MARGIN, DOT = 320, 240, 16, 4
DIVISIVE_GAP = 0.3  # a statement is divisive when two groups' shares of agreement differ by 30 points or more
MAX_DIVISIVE = 5

# maths.NotEnoughData's reasons (English, stored) → what the page says.
REASONS = (
    ("at least 2 are needed", lambda: _("There are not enough statements yet to draw groups: at least two are "
                                        "needed.")),
    ("with enough votes", lambda: _("Too few people have voted on enough statements to draw groups: at least "
                                    "four people having voted on seven statements (or all of them, if there are "
                                    "fewer) are needed.")),
    ("too alike", lambda: _("The votes are too alike to tell groups apart.")),
    ("draw a map", lambda: _("There are too few participants or statements to draw a map.")),
)


def reason_text(reason: str) -> str:
    for fragment, text in REASONS:
        if fragment in reason:
            return text()
    return _("There are not enough votes yet to draw groups.")


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _shares(counts: dict) -> dict:
    seen = counts.get("seen", 0)
    return {"seen": seen, "agree": _percent(counts.get("agree", 0), seen),
            "disagree": _percent(counts.get("disagree", 0), seen), "pass": _percent(counts.get("pass", 0), seen)}


def _out_of_group(entry: dict, group: int) -> dict:
    out = {"agree": 0, "disagree": 0, "pass": 0, "seen": 0}
    for other, counts in entry.get("groups", {}).items():
        if other != group:
            for name in out:
                out[name] += counts[name]
    return out


def _svg_number(value: float) -> str:
    return f"{value:.1f}"  # never localised: SVG wants a dot


def _shape(shape: str, x: float, y: float, size: float) -> dict:
    """SVG of one point: the element's name and its attributes (as text)."""
    if shape == "circle":
        return {"tag": "circle", "attrs": {"cx": _svg_number(x), "cy": _svg_number(y), "r": _svg_number(size)}}
    if shape == "square":
        return {"tag": "rect", "attrs": {"x": _svg_number(x - size), "y": _svg_number(y - size),
                                         "width": _svg_number(2 * size), "height": _svg_number(2 * size)}}
    points = {"triangle": [(0, -1.2), (1.1, 0.9), (-1.1, 0.9)], "diamond": [(0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)],
              "cross": [(-0.4, -1.2), (0.4, -1.2), (0.4, -0.4), (1.2, -0.4), (1.2, 0.4), (0.4, 0.4), (0.4, 1.2),
                        (-0.4, 1.2), (-0.4, 0.4), (-1.2, 0.4), (-1.2, -0.4), (-0.4, -0.4)]}[shape]
    return {"tag": "polygon", "attrs": {"points": " ".join(f"{x + dx * size:.1f},{y + dy * size:.1f}"
                                                          for dx, dy in points)}}


def opinion_map(data: dict, participant: str) -> dict:
    """The dots of the map in a WIDTH × HEIGHT box (y upwards), each with its group's shape and class, and the
    viewer's own dot when they are on the map."""
    coordinates, groups = data.get("coordinates", {}), data.get("groups", {})
    placed = [(key, xy, groups[key]) for key, xy in coordinates.items() if key in groups]
    if not placed:
        return {}
    xs, ys = [xy[0] for _k, xy, _g in placed], [xy[1] for _k, xy, _g in placed]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0

    def at(xy):
        return (MARGIN + (xy[0] - min(xs)) / span_x * (WIDTH - 2 * MARGIN),
                HEIGHT - MARGIN - (xy[1] - min(ys)) / span_y * (HEIGHT - 2 * MARGIN))

    dots, me = [], None
    for key, xy, group in sorted(placed, key=lambda row: row[0]):
        x, y = at(xy)
        dots.append({**_shape(SHAPES[group], x, y, DOT), "group": group})
        if key == participant:
            me = {"x": _svg_number(x), "y": _svg_number(y), "r": _svg_number(DOT * 2.5),
                  "label_y": _svg_number(max(y - DOT * 3.5, 10))}
    return {"width": WIDTH, "height": HEIGHT, "dots": dots, "me": me}


def results(conversation, participant: str) -> dict:
    result = GroupsResult.objects.filter(conversation=conversation).first()
    data = result.data if result is not None and result.k else {}
    k = result.k if data else 0
    stats = statement_stats(conversation, data.get("groups") if k else None)
    shown = list(conversation.shown_statements())
    by_pk = {statement.pk: statement for statement in shown}
    votes = [{"statement": statement, **_shares(stats.get(statement.pk, {}))} for statement in shown]
    context = {"result": result, "reason": reason_text(result.reason) if result is not None and not k else "",
               "votes": votes, "k": k}
    if not k:
        if result is None:
            context["reason"] = _("The groups have not been computed yet: they are, a few minutes after the first "
                                  "votes.")
        return context
    sizes = [0] * k
    for group in data["groups"].values():
        sizes[group] += 1
    grouped = sum(sizes)
    groups = []
    for group in range(k):
        representative = []
        for pk in data.get("representative", {}).get(str(group), []):
            if pk in by_pk:
                entry = stats.get(pk, {})
                inside = _shares(entry.get("groups", {}).get(group, {}))
                outside = _shares(_out_of_group(entry, group))
                representative.append({"statement": by_pk[pk], "inside": inside, "outside": outside,
                                       "agrees": inside["agree"] - outside["agree"]
                                       >= inside["disagree"] - outside["disagree"]})
        groups.append({"index": group, "letter": LETTERS[group], "shape": SHAPES[group], "size": sizes[group],
                       "share": _percent(sizes[group], grouped), "representative": representative,
                       "is_mine": data["groups"].get(participant) == group})
    consensus = [{"statement": by_pk[pk], **_shares(stats.get(pk, {}))} for pk in data.get("consensus", [])
                 if pk in by_pk]
    divisive = sorted(((divisiveness(stats.get(statement.pk, {}), k), statement) for statement in shown),
                      key=lambda row: (-row[0], row[1].pk))
    divisive = [{"statement": statement, "gap": round(100 * gap),
                 "groups": [{"letter": LETTERS[group],
                             **_shares(stats.get(statement.pk, {}).get("groups", {}).get(group, {}))}
                            for group in range(k)]}
                for gap, statement in divisive[:MAX_DIVISIVE] if gap >= DIVISIVE_GAP]
    return {**context, "groups": groups, "grouped": grouped, "consensus": consensus, "divisive": divisive,
            "map": opinion_map(data, participant), "my_group": next((g for g in groups if g["is_mine"]), None)}
