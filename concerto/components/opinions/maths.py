"""Opinion groups as Polis computes them: pure functions on numpy arrays and plain data, no Django.

The steps (docs/architecture.md, "Opinion groups"):
1. The vote matrix: one row a participant, one column a statement; agree 1, disagree -1, pass 0, NaN where
   the participant did not vote. Statements moderated out are left out before (Polis zeroes their column,
   which is the same for the projection).
2. Who counts (Polis's "in-conv"): participants with at least min(7, number of statements) votes; when fewer
   than 15 pass that bar, the participants who voted most are added until there are 15 (ties by id).
3. PCA to 2 components of the matrix whose missing cells take their column's mean (Polis's imputation), then
   each participant's coordinates scaled by sqrt(statements / statements the participant voted on), as Polis
   does so that people who voted little are not all piled up in the centre.
4. k-means for k = 2..min(5, 2 + n // 12) (Polis's bound for small conversations), k chosen by the best
   silhouette. Groups are ordered by size (largest first), then by their centre; participants are clustered in
   a canonical order (by their coordinates) so a group does not depend on the order of the rows.
5. Representative statements per group (Polis's repness), group-informed consensus.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

AGREE, DISAGREE, PASS = 1, -1, 0
MIN_VOTES = 7  # Polis: a participant counts with at least min(7, statements) votes...
GREEDY_PARTICIPANTS = 15  # ...or while fewer than 15 do, the participants who voted most.
MIN_PARTICIPANTS = 4  # Fewer and no group is drawn (k-means for k >= 2 and a silhouette need more).
MAX_GROUPS = 5
Z_90 = 1.2816  # One-sided 90 % significance, as Polis.
MAX_REPRESENTATIVE = 5
CONSENSUS_THRESHOLD = 0.7  # Consensus: every group agrees more than not, and the geometric mean of
# P(agree | group) over the groups reaches 0.7.
SILHOUETTE_SAMPLE = 1000  # Above this many participants the silhouette is computed on a fixed sample.
RANDOM_STATE = 0
N_INIT = 10  # k-means runs from 10 seeds (3 above LARGE participants, where a run costs more and varies less)
LARGE = 1000


class NotEnoughData(ValueError):
    """Too few participants or votes to draw opinion groups; the message says which."""


@dataclass
class OpinionGroups:
    participants: list  # ids of the participants grouped (the "in-conv" ones), in the input's order
    labels: np.ndarray  # group index of each of them
    coordinates: np.ndarray  # (n, 2) position of each of them on the opinion map
    k: int
    silhouette: float
    statements: list  # ids of the matrix's columns
    representative: dict = field(default_factory=dict)  # group index -> [statement ids]
    consensus: list = field(default_factory=list)  # statement ids, most consensual first
    group_consensus: np.ndarray | None = None  # per statement: product over groups of P(agree | group)


def vote_matrix(votes, participants=None, statements=None):
    """(matrix, participant ids, statement ids) from (participant, statement, vote) triples in time order.

    The last vote of a participant on a statement counts, as in Polis. Votes on statements not in
    `statements` (when given) are ignored.
    """
    votes = list(votes)
    if participants is None:
        participants = sorted({p for p, _s, _v in votes})
    if statements is None:
        statements = sorted({s for _p, s, _v in votes})
    row = {p: i for i, p in enumerate(participants)}
    col = {s: j for j, s in enumerate(statements)}
    matrix = np.full((len(participants), len(statements)), np.nan)
    for p, s, v in votes:
        j = col.get(s)
        i = row.get(p)
        if i is not None and j is not None:
            matrix[i, j] = float(np.sign(v))
    return matrix, list(participants), list(statements)


def vote_threshold(n_statements: int) -> int:
    return min(MIN_VOTES, n_statements)


def in_conversation(matrix: np.ndarray, participant_ids, vote_counts=None) -> np.ndarray:
    """Boolean mask of the participants Polis keeps (see the module's docstring, step 2).

    `vote_counts` (per participant) may count votes on statements since moderated out, as Polis does; by
    default the votes in the matrix. The threshold is min(7, the matrix's statements).
    """
    counts = np.sum(~np.isnan(matrix), axis=1) if vote_counts is None else np.asarray(vote_counts)
    keep = counts >= vote_threshold(matrix.shape[1])
    if keep.sum() < GREEDY_PARTICIPANTS:
        # Most votes first, ties by id (so the choice does not depend on the rows' order).
        order = sorted((i for i in range(len(counts)) if not keep[i] and counts[i] > 0),
                       key=lambda i: (-counts[i], str(participant_ids[i])))
        for i in order[:GREEDY_PARTICIPANTS - int(keep.sum())]:
            keep[i] = True
    return keep


def project(matrix: np.ndarray) -> np.ndarray:
    """2D coordinates of each row: PCA of the column-mean imputed matrix, sparsity-scaled as Polis."""
    from scipy import sparse
    from sklearn.decomposition import PCA

    voted = ~np.isnan(matrix)
    n_voted = voted.sum(axis=1)
    rows, columns = np.nonzero(voted)
    values = matrix[rows, columns]
    counts = np.bincount(columns, minlength=matrix.shape[1])
    sums = np.bincount(columns, weights=values, minlength=matrix.shape[1])
    means = np.divide(sums, counts, out=np.zeros(matrix.shape[1]), where=counts > 0)
    # The imputed matrix minus its column means is zero where nobody voted: held sparse, so that the PCA's work
    # grows with the votes, not with participants x statements (the same components: PCA centres it anyway).
    deviations = values - means[columns]
    if not np.any(deviations):
        raise NotEnoughData("the participants' votes are too alike to tell groups apart")
    centred = sparse.csr_matrix((deviations, (rows, columns)), shape=matrix.shape)
    n_components = min(2, min(matrix.shape) - 1)
    if n_components < 1:
        raise NotEnoughData("too few participants or statements to draw a map")
    pca = PCA(n_components=n_components, svd_solver="arpack", random_state=RANDOM_STATE)
    coordinates = pca.fit_transform(centred)
    # A component's sign is arbitrary: make its largest loading positive, so that a run gives the same map.
    signs = np.sign(pca.components_[np.arange(n_components), np.argmax(np.abs(pca.components_), axis=1)])
    coordinates = coordinates * np.where(signs == 0, 1, signs)
    if n_components < 2:
        coordinates = np.hstack([coordinates, np.zeros((len(coordinates), 2 - n_components))])
    scale = np.sqrt(matrix.shape[1] / np.maximum(n_voted, 1))
    return coordinates * scale[:, None]


def cluster(coordinates: np.ndarray, max_k: int = MAX_GROUPS):
    """(labels, k, silhouette): k-means for k = 2..max_k, the k of the best silhouette, ordered labels."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = len(coordinates)
    # A canonical order of the points (by their rounded coordinates): k-means++ then starts from the same
    # seeds whatever the order of the participants, and identical points are interchangeable.
    rounded = np.round(coordinates, 9)
    order = np.lexsort((rounded[:, 1], rounded[:, 0]))
    points = coordinates[order]
    distinct = len(np.unique(rounded, axis=0))
    best = None
    for k in range(2, min(max_k, distinct, n - 1) + 1):
        n_init = N_INIT if n <= LARGE else 3
        labels = KMeans(n_clusters=k, n_init=n_init, random_state=RANDOM_STATE).fit_predict(points)
        sample = SILHOUETTE_SAMPLE if n > SILHOUETTE_SAMPLE else None
        score = float(silhouette_score(points, labels, sample_size=sample, random_state=RANDOM_STATE))
        if best is None or score > best[2] + 1e-12:
            best = (labels, k, score)
    if best is None:
        raise NotEnoughData("the participants' votes are too alike to tell groups apart")
    labels, k, score = best
    # Stable labels: largest group first, then by the centre's coordinates.
    keys = []
    for g in range(k):
        members = points[labels == g]
        centre = members.mean(axis=0)
        keys.append((-len(members), round(float(centre[0]), 9), round(float(centre[1]), 9)))
    rank = {g: r for r, g in enumerate(sorted(range(k), key=lambda g: keys[g]))}
    ordered = np.array([rank[g] for g in labels])
    result = np.empty(n, dtype=int)
    result[order] = ordered
    return result, k, score


def max_groups(n_participants: int) -> int:
    """Polis draws at most 2 + n // 12 groups (and never more than 5): few participants, few groups."""
    return min(MAX_GROUPS, 2 + n_participants // 12)


def _group_counts(matrix: np.ndarray, labels: np.ndarray, k: int):
    """(agree, disagree, seen) counts, each a (k, statements) array: one matrix product per kind of vote."""
    membership = (labels[None, :] == np.arange(k)[:, None]).astype(np.float32)
    return tuple((membership @ (kind).astype(np.float32)).astype(float)
                 for kind in (matrix == AGREE, matrix == DISAGREE, ~np.isnan(matrix)))


def prop_test(successes, trials):
    """Polis's one-proportion z-test of a proportion against 1/2, with a pseudo-count of 1."""
    successes = np.asarray(successes) + 1.0
    trials = np.asarray(trials) + 1.0
    return 2.0 * np.sqrt(trials) * (successes / trials - 0.5)


def two_prop_test(successes_in, trials_in, successes_out, trials_out):
    """Two-proportion z-test (group vs the rest), with a pseudo-count of 1 on each count, as Polis."""
    s1, n1 = np.asarray(successes_in) + 1.0, np.asarray(trials_in) + 1.0
    s2, n2 = np.asarray(successes_out) + 1.0, np.asarray(trials_out) + 1.0
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return np.divide(p1 - p2, spread, out=np.zeros_like(p1), where=spread > 0)


def repness(matrix: np.ndarray, labels: np.ndarray, k: int):
    """Per group, the statistics of every statement against the rest of the grouped participants.

    Returns {group: dict of arrays}: na, nd, ns (agree, disagree, seen counts), pa, pd (probabilities with
    pseudo-counts: (n + 1) / (ns + 2)), ra, rd (ratios to the rest), pat, pdt (one-proportion tests), rat, rdt
    (two-proportion tests vs the rest).
    """
    stats = {}
    agree, disagree, seen = _group_counts(matrix, labels, k)
    for g in range(k):
        na, nd, ns = agree[g], disagree[g], seen[g]
        ra_, rd_, rs_ = agree.sum(axis=0) - na, disagree.sum(axis=0) - nd, seen.sum(axis=0) - ns
        pa, pd = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
        rest_pa, rest_pd = (ra_ + 1) / (rs_ + 2), (rd_ + 1) / (rs_ + 2)
        stats[g] = {
            "na": na, "nd": nd, "ns": ns, "pa": pa, "pd": pd,
            "ra": pa / rest_pa, "rd": pd / rest_pd,
            "pat": prop_test(na, ns), "pdt": prop_test(nd, ns),
            "rat": two_prop_test(na, ns, ra_, rs_), "rdt": two_prop_test(nd, ns, rd_, rs_),
        }
    return stats


def _best_agreed(s: dict) -> int | None:
    """Index of the statement the group agrees with most characteristically, as Polis's "best agree".

    Walking the statements in order, a candidate (voted on) replaces the current best when: the best so far has
    a ratio to the rest above 1 and the candidate too, with a larger ratio x tests x probability; or the best so
    far has no ratio above 1 and the candidate's probability x test is larger. Without a best yet, a statement is
    taken when its agreement is significant, or when the group agrees more than the rest and more than not.
    """
    best = None
    for j in range(len(s["ns"])):
        if s["na"][j] + s["nd"][j] == 0:
            continue
        if best is None:
            beats = s["pat"][j] > Z_90 or (s["ra"][j] > 1 and s["pa"][j] > 0.5)
        elif s["ra"][best] > 1:
            beats = s["ra"][j] > 1 and (s["ra"][j] * s["rat"][j] * s["pa"][j] * s["pat"][j]
                                        > s["ra"][best] * s["rat"][best] * s["pa"][best] * s["pat"][best])
        else:
            beats = s["pa"][j] * s["pat"][j] > s["pa"][best] * s["pat"][best]
        if beats:
            best = j
    return best


def representative_statements(stats: dict, statement_ids, limit: int = MAX_REPRESENTATIVE):
    """{group: [(statement id, "agree"|"disagree"), ...]}: Polis's selection of representative statements.

    A statement represents a group when the group agrees (or disagrees) with it significantly more than the
    rest (two-proportion test) and significantly more than not (one-proportion test), both at 90 %; its
    direction is the one of the larger two-proportion test. They are ranked by ratio x tests x probability
    (Polis's metric), after the group's "best agreed" statement (see _best_agreed), which comes first; at most
    `limit`. When none passes the tests, the best agreed statement alone, or else the statement of the largest
    significant difference from the rest, as Polis does; when none differs, nothing.
    """
    chosen = {}
    for g, s in stats.items():
        agree_side = s["rat"] > s["rdt"]
        agree_passes = (s["rat"] > Z_90) & (s["pat"] > Z_90)
        disagree_passes = (s["rdt"] > Z_90) & (s["pdt"] > Z_90)
        passes = np.where(agree_side, agree_passes, disagree_passes) & (s["ns"] > 0)
        metric = np.where(agree_side, s["ra"] * s["rat"] * s["pa"] * s["pat"],
                          s["rd"] * s["rdt"] * s["pd"] * s["pdt"])
        candidates = sorted(np.flatnonzero(passes), key=lambda j: (-metric[j], str(statement_ids[j])))
        best_agreed = _best_agreed(s)
        if best_agreed is not None:
            candidates = [best_agreed] + [j for j in candidates if j != best_agreed]
        elif not candidates:
            best_test = np.where(s["ns"] > 0, np.maximum(s["rat"], s["rdt"]), -np.inf)
            if len(best_test) and best_test.max() > Z_90:
                candidates = [int(np.argmax(best_test))]
        chosen[g] = [(statement_ids[j], "agree" if (j == best_agreed or agree_side[j]) else "disagree")
                     for j in candidates[:limit]]
    return chosen


def group_informed_consensus(stats: dict) -> np.ndarray:
    """Per statement, the product over groups of P(agree | group) = (agrees + 1) / (seen + 2)."""
    product = None
    for s in stats.values():
        product = s["pa"].copy() if product is None else product * s["pa"]
    return product


def consensus_statements(stats: dict, consensus: np.ndarray, statement_ids, threshold: float = CONSENSUS_THRESHOLD):
    """Statements agreed by every group: each group's P(agree | group) above 1/2 and the group-informed consensus
    at least threshold ** k (the geometric mean over the k groups reaches `threshold`), most consensual first."""
    every_group = np.all([s["pa"] > 0.5 for s in stats.values()], axis=0)
    picked = list(np.flatnonzero(every_group & (consensus >= threshold ** len(stats))))
    picked.sort(key=lambda j: (-consensus[j], str(statement_ids[j])))
    return [statement_ids[j] for j in picked]


def opinion_groups(matrix: np.ndarray, participant_ids, statement_ids, vote_counts=None) -> OpinionGroups:
    """The whole computation on a vote matrix (NaN for no vote). Raises NotEnoughData with the reason.

    The BLAS and OpenMP pools are held to one thread: on a shared server, k-means's threads on a few thousand
    points in 2D spent far more time waiting for each other than computing (1.7 s against 0.07 s, load 5 on
    2 CPUs).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _opinion_groups(matrix, participant_ids, statement_ids, vote_counts)


def _opinion_groups(matrix, participant_ids, statement_ids, vote_counts):
    if matrix.shape[1] < 2:
        raise NotEnoughData(f"{matrix.shape[1]} statement(s): at least 2 are needed to draw groups")
    keep = in_conversation(matrix, participant_ids, vote_counts)
    n = int(keep.sum())
    if n < MIN_PARTICIPANTS:
        raise NotEnoughData(f"{n} participant(s) with enough votes: at least {MIN_PARTICIPANTS} are needed")
    kept = matrix[keep]
    coordinates = project(kept)
    labels, k, score = cluster(coordinates, max_groups(n))
    stats = repness(kept, labels, k)
    chosen = representative_statements(stats, statement_ids)
    consensus = group_informed_consensus(stats)
    return OpinionGroups(
        participants=[p for p, kept_ in zip(participant_ids, keep, strict=True) if kept_],
        labels=labels, coordinates=coordinates, k=k, silhouette=score, statements=list(statement_ids),
        representative={g: [sid for sid, _d in chosen[g]] for g in range(k)},
        consensus=consensus_statements(stats, consensus, statement_ids),
        group_consensus=consensus,
    )


def as_json(result: OpinionGroups) -> dict:
    """The command's JSON: {"groups": {participant: group}, "k", "consensus", "representative"}."""
    def plain(value):
        return value.item() if hasattr(value, "item") else value

    return {
        "groups": {str(p): int(g) for p, g in zip(result.participants, result.labels, strict=True)},
        "k": int(result.k),
        "consensus": [plain(s) for s in result.consensus],
        "representative": {str(g): [plain(s) for s in ids] for g, ids in result.representative.items()},
    }
