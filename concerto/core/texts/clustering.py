"""Themes in French free texts, the maths (no Django): TF-IDF → LSA → k-means, readable labels, agents' edits.

- Each text is read by the kernel's one French reading (`analysis.vectorizer`: elisions, stop words, Snowball
  stems, accents), weighted by TF-IDF; terms in a single text (on corpora of 50 texts or more) and in more than
  half of the texts say nothing about a theme and are left out.
- LSA (a truncated SVD to at most 100 dimensions, one per 8 texts, at least 5) then a length normalisation:
  short texts share few words, and LSA brings « vélo » near « piste cyclable » when other texts use them together.
- k-means (random_state 0, so the same texts give the same themes) for each k in MIN_THEMES..MAX_THEMES (at most
  one theme per 5 texts), the k of the best silhouette (cosine, on a fixed sample of 2,000 texts above that); above
  4,000 texts, k is chosen on a fixed sample of 4,000, and k-means then runs once on all texts.
- A theme's words: the terms whose mean TF-IDF in the theme exceeds the most their mean in the whole corpus,
  each shown as the form people wrote most often (« pistes » rather than the stem « pist »); its label is its
  first three words. Its central text is the one nearest the theme's centre, its examples the next ones.
"""

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from concerto.core.texts.analysis import analyse, vectorizer

MIN_TEXTS = 10
MIN_THEMES = 3
MAX_THEMES = 12
TEXTS_PER_THEME = 5  # at most one theme per 5 texts
LSA_DIMENSIONS = 100
TEXTS_PER_DIMENSION = 8
SILHOUETTE_SAMPLE = 2000
K_SAMPLE = 4000  # texts on which the number of themes is chosen
# A new theme takes an old theme's number when the texts both hold are at least this share of the texts either
# holds (Jaccard index on the texts present in both runs).
MATCH_THRESHOLD = 0.3
LABEL_WORDS = 3
TOP_WORDS = 8
EXAMPLES = 5


class NotEnoughTexts(Exception):
    """Too few texts (or too few words in them) to find themes; the message says why, in English."""


@dataclass
class Reading:
    """The vectors of a corpus: KEPT the indexes of the texts that have words, X their TF-IDF rows, Z their
    normalised LSA rows (same order), TERMS the vocabulary and WORDS the written form of each term."""

    kept: list[int]
    x: object
    z: np.ndarray
    terms: np.ndarray
    words: dict


def read(texts: list[str]) -> Reading:
    """Vectorise TEXTS; raises NotEnoughTexts when fewer than MIN_TEXTS have words."""
    forms: Counter = Counter()  # (term, word as written) -> how often

    def recording(text):
        pairs = analyse(text)
        forms.update(pairs)
        return [stem for stem, _word in pairs]

    if len(texts) < MIN_TEXTS:
        raise NotEnoughTexts(f"{len(texts)} texts, fewer than {MIN_TEXTS}")
    tfidf = vectorizer(min_df=2 if len(texts) >= 50 else 1, max_df=0.5)
    tfidf.set_params(analyzer=recording)
    try:
        x = tfidf.fit_transform(texts)
    except ValueError:  # no term left at all
        raise NotEnoughTexts("no words to compare in these texts") from None
    kept = np.flatnonzero(x.getnnz(axis=1))
    if len(kept) < MIN_TEXTS:
        raise NotEnoughTexts(f"{len(kept)} texts with words to compare, fewer than {MIN_TEXTS}")
    x = x[kept]
    # Few dimensions for a small corpus: its words rarely meet, and a wide LSA keeps them apart (measured on the
    # tests' corpus of 36 texts: 100 dimensions split three subjects into 7 mixed themes, 5 into pure ones).
    dimensions = min(LSA_DIMENSIONS, max(5, len(kept) // TEXTS_PER_DIMENSION), x.shape[1] - 1, len(kept) - 1)
    if dimensions < 2:
        raise NotEnoughTexts("too few different words in these texts")
    with threadpool_limits(1):
        z = TruncatedSVD(n_components=dimensions, random_state=0).fit_transform(x)
    z = normalize(z)
    terms = tfidf.get_feature_names_out()
    written: dict[str, tuple[int, str]] = {}
    for (term, word), count in forms.items():
        if (count, word) > written.get(term, (0, "")):
            written[term] = (count, word)
    words = {term: written[term][1] for term in terms}
    return Reading(kept=[int(i) for i in kept], x=x, z=z, terms=terms, words=words)


def _sorted_labels(labels: np.ndarray) -> np.ndarray:
    """Clusters numbered largest first (then by their first text), so that numbers do not depend on k-means."""
    sizes = Counter(labels.tolist())
    first = {}
    for index, label in enumerate(labels.tolist()):
        first.setdefault(label, index)
    order = sorted(sizes, key=lambda label: (-sizes[label], first[label]))
    renumber = {old: new for new, old in enumerate(order)}
    return np.array([renumber[label] for label in labels.tolist()])


def kmeans(z: np.ndarray, k: int) -> np.ndarray:
    with threadpool_limits(1):
        model = KMeans(n_clusters=k, n_init=3, random_state=0).fit(z)
    return _sorted_labels(model.labels_)


def clusters(z: np.ndarray) -> np.ndarray:
    """A theme index (0 the largest) per row of Z, for the k of the best silhouette. Above K_SAMPLE texts, k is
    chosen on a fixed sample of K_SAMPLE rows, then k-means runs once on all of them."""
    n = z.shape[0]
    highest = max(MIN_THEMES, min(MAX_THEMES, n // TEXTS_PER_THEME))
    sample = z
    if n > K_SAMPLE:
        sample = z[np.random.default_rng(0).choice(n, K_SAMPLE, replace=False)]
    best_k, best_score = None, -2.0
    for k in range(MIN_THEMES, highest + 1):
        labels = kmeans(sample, k)
        if len(set(labels.tolist())) < 2:
            continue
        score = silhouette_score(sample, labels, metric="euclidean",
                                 sample_size=min(len(sample), SILHOUETTE_SAMPLE), random_state=0)
        if score > best_score + 1e-9:
            best_k, best_score = k, score
    if best_k is None:
        raise NotEnoughTexts("the texts are all alike")
    return kmeans(z, best_k)


def match(new: dict, old: dict, next_number: int) -> tuple[dict, int]:
    """Numbers for the new clusters. NEW maps a cluster index to the keys of its texts, OLD an old theme number
    to its keys. Each new cluster takes the number of the old theme that shares the most texts with it (an
    optimal one-to-one assignment on the Jaccard index of the texts present in both runs), when that index
    reaches MATCH_THRESHOLD; the others get new numbers from NEXT_NUMBER. Returns ({index: number}, next)."""
    both = set().union(*new.values()) & set().union(*old.values()) if new and old else set()
    new_indexes, old_numbers = sorted(new), sorted(old)
    numbers = {}
    if both:
        scores = np.zeros((len(new_indexes), len(old_numbers)))
        for i, index in enumerate(new_indexes):
            mine = new[index] & both
            for j, number in enumerate(old_numbers):
                theirs = old[number] & both
                union = len(mine | theirs)
                scores[i, j] = len(mine & theirs) / union if union else 0.0
        rows, columns = linear_sum_assignment(-scores)
        for i, j in zip(rows, columns, strict=True):
            if scores[i, j] >= MATCH_THRESHOLD:
                numbers[new_indexes[i]] = old_numbers[j]
    for index in new_indexes:
        if index not in numbers:
            numbers[index] = next_number
            next_number += 1
    return numbers, next_number


def split_in_two(z: np.ndarray) -> np.ndarray:
    """0 or 1 per row of Z (two sub-themes by k-means), 0 the larger half."""
    return kmeans(z, 2)


@dataclass
class Description:
    words: list[str]
    label: str
    order: list[int]  # the rows of the theme, the most central first


def describe(reading: Reading, rows: list[int], overall: np.ndarray) -> Description:
    """The words, label and texts (nearest the centre first) of the theme made of ROWS (of READING); OVERALL is
    the corpus's mean TF-IDF row."""
    centre = np.asarray(reading.x[rows].mean(axis=0)).ravel()
    distinct = centre - overall
    top = [i for i in np.argsort(-distinct, kind="stable")[:TOP_WORDS] if centre[i] > 0]
    words, seen = [], set()
    for i in top:  # « vélo » and « vélos » may have different stems: one word each
        word = reading.words[reading.terms[i]]
        if word.rstrip("sx") not in seen:
            seen.add(word.rstrip("sx"))
            words.append(word)
    label = ", ".join(words[:LABEL_WORDS])
    label = label[:1].upper() + label[1:]
    z = reading.z[rows]
    closeness = z @ normalize(z.mean(axis=0, keepdims=True)).ravel()
    order = [rows[i] for i in np.argsort(-closeness, kind="stable")]
    return Description(words=words, label=label, order=order)


def overall_mean(reading: Reading) -> np.ndarray:
    return np.asarray(reading.x.mean(axis=0)).ravel()
