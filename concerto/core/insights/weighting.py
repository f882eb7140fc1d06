"""Weights that make respondents look like the population: post-stratification on one margin (age band), raking
(iterative proportional fitting) on several (age band × commune of residence), Kish's effective sample size, and
weighted shares of answers. Pure numpy: callers give arrays of category indices (-1: unknown, left out), one row
per respondent, or one row per cell of identical respondents with COUNTS (the weight depends only on the cell, so
100,000 respondents are a few hundred rows counted by the database).

Rules, said on the pages (docs/architecture.md, « Representativeness (issue 18) »):
- a category the population has but no respondent (an empty cell) is merged with its neighbour (the next band,
  or the previous one for the last) until none is empty, and the merge is reported;
- for raking, a commune without any respondent is left out of the commune margin (its people cannot be
  represented) and reported;
- weights are extreme when the largest is above EXTREME_WEIGHT times the mean, or when the effective sample size
  is below LOW_EFFECTIVE_SHARE of the respondents.
"""

from dataclasses import dataclass, field

import numpy as np

EXTREME_WEIGHT = 5.0
LOW_EFFECTIVE_SHARE = 0.3
RAKING_ITERATIONS = 100
RAKING_TOLERANCE = 1e-6


@dataclass
class Weights:
    weights: np.ndarray  # one per row (each person of the row), mean 1 over the people weighted, 0 when left out
    counts: np.ndarray  # the people of each row
    method: str  # "post-stratification", "raking" or "" (nothing to weight)
    merged: list[tuple[int, int]] = field(default_factory=list)  # (empty band, band it was merged into)
    dropped: list[int] = field(default_factory=list)  # indices of the second margin left out (raking)

    @property
    def n(self) -> int:
        return int(self.counts[self.weights > 0].sum())

    @property
    def left_out(self) -> int:
        return int(self.counts.sum() - self.n)

    @property
    def effective_n(self) -> float:
        """Kish: (Σw)² / Σw², over people."""
        squares = float(np.dot(self.counts, self.weights ** 2))
        return float(np.dot(self.counts, self.weights)) ** 2 / squares if squares else 0.0

    @property
    def max_weight(self) -> float:
        present = self.weights[self.counts > 0]
        return float(present.max()) if present.size else 0.0

    @property
    def extreme(self) -> bool:
        return self.n > 0 and (self.max_weight > EXTREME_WEIGHT or self.effective_n < LOW_EFFECTIVE_SHARE * self.n)


def collapse(sample: np.ndarray, population: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The group of each category once every category with people but no respondent is merged with its next
    neighbour (the previous one for the last), and the merges as (category, category it joined)."""
    groups = list(range(len(sample)))
    merged = []
    while True:
        members: dict[int, list[int]] = {}
        for category, group in enumerate(groups):
            members.setdefault(group, []).append(category)
        order = sorted(members)
        empty = [group for group in order if sample[members[group]].sum() == 0 and population[members[group]].sum() > 0]
        if not empty or len(order) == 1:
            break
        group = empty[0]
        position = order.index(group)
        into = order[position + 1] if position + 1 < len(order) else order[position - 1]
        for category in members[group]:
            groups[category] = into
            merged.append((category, into))
    return np.array(groups), merged


def _normalised(weights: np.ndarray, counts: np.ndarray) -> np.ndarray:
    active = (weights > 0) & (counts > 0)
    if active.any():
        weights[active] *= counts[active].sum() / np.dot(weights[active], counts[active])
    return weights


def _counts(counts, size: int) -> np.ndarray:
    return np.ones(size) if counts is None else np.asarray(counts, dtype=float)


def post_stratify(bands: np.ndarray, population: np.ndarray, counts=None) -> Weights:
    """Weights so that the share of each band among respondents is its share of POPULATION (counts by band).
    BANDS: each row's band index, -1 when unknown (weight 0); COUNTS: the people of each row (1 by default)."""
    bands = np.asarray(bands, dtype=np.int64)
    counts = _counts(counts, bands.size)
    population = np.asarray(population, dtype=float)
    weights = np.zeros(bands.size)
    known = (bands >= 0) & (counts > 0)
    if not known.any() or population.sum() <= 0:
        return Weights(weights, counts, "")
    sample = np.bincount(bands[known], weights=counts[known], minlength=population.size)
    groups, merged = collapse(sample, population)
    size = groups.max() + 1
    group_population = np.bincount(groups, weights=population, minlength=size)
    group_sample = np.bincount(groups, weights=sample, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(group_sample > 0,
                          (group_population / population.sum()) / (group_sample / counts[known].sum()), 0.0)
    weights[known] = factor[groups[bands[known]]]
    return Weights(_normalised(weights, counts), counts, "post-stratification", merged=merged)


def rake(bands: np.ndarray, places: np.ndarray, population: np.ndarray, counts=None) -> Weights:
    """Raking on two margins: age band and place (commune of residence). POPULATION: counts, places × bands.
    Rows with an unknown band or place (-1) get weight 0; COUNTS: the people of each row (1 by default)."""
    bands = np.asarray(bands, dtype=np.int64)
    places = np.asarray(places, dtype=np.int64)
    counts = _counts(counts, bands.size)
    population = np.asarray(population, dtype=float)
    weights = np.zeros(bands.size)
    known = (bands >= 0) & (places >= 0) & (counts > 0)
    if not known.any() or population.sum() <= 0:
        return Weights(weights, counts, "")
    people = counts[known]
    place_sample = np.bincount(places[known], weights=people, minlength=population.shape[0])
    dropped = [int(place) for place in np.flatnonzero((place_sample == 0) & (population.sum(axis=1) > 0))]
    population = population.copy()
    population[dropped, :] = 0
    band_target = population.sum(axis=0)
    band_sample = np.bincount(bands[known], weights=people, minlength=population.shape[1])
    groups, merged = collapse(band_sample, band_target)
    band_group = groups[bands[known]]
    band_target = np.bincount(groups, weights=band_target, minlength=groups.max() + 1)
    place_target = population.sum(axis=1)
    margins = [(band_group, band_target / band_target.sum()), (places[known], place_target / place_target.sum())]
    current = np.ones(int(known.sum()))
    for _round in range(RAKING_ITERATIONS):
        gap = 0.0
        for categories, target in margins:
            reached = np.bincount(categories, weights=current * people, minlength=target.size) / np.dot(current, people)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(reached > 0, target / reached, 0.0)
            gap = max(gap, float(np.abs(reached - target).max()))
            current = current * factor[categories]
        if gap < RAKING_TOLERANCE:
            break
    weights[known] = current
    return Weights(_normalised(weights, counts), counts, "raking", merged=merged, dropped=dropped)


def weighted_shares(weights: Weights, chosen: np.ndarray) -> np.ndarray:
    """Each option's share of the weighted respondents. CHOSEN: rows × options, how many people of the row chose
    the option (1 or 0 with one row per respondent)."""
    total = float(np.dot(weights.weights, weights.counts))
    if not total:
        return np.zeros(chosen.shape[1])
    return (weights.weights @ chosen) / total
