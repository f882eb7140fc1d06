"""Weighting against hand computations: post-stratification with empty cells merged, Kish's effective size,
raking that reaches both margins, and the warning on extreme weights."""

import numpy as np
import pytest

from concerto.core.insights import weighting


def test_post_stratification_merges_empty_bands_and_matches_the_hand_computation():
    # Population shares 10, 20, 30, 20, 10, 10 %; four respondents in bands 15-29, 15-29, 30-44, 45-59.
    weights = weighting.post_stratify(np.array([1, 1, 2, 3]), np.array([100, 200, 300, 200, 100, 100]))
    # 0-14 joins 15-29 (30 % for 2 of 4), 60-74 and 75+ join 45-59 (40 % for 1 of 4): 0.6, 0.6, 1.2, 1.6.
    assert weights.weights == pytest.approx([0.6, 0.6, 1.2, 1.6])
    assert weights.merged == [(0, 1), (4, 5), (4, 3), (5, 3)]
    assert weights.effective_n == pytest.approx(16 / 4.72)
    shares = weighting.weighted_shares(weights, np.array([[1, 0], [1, 0], [0, 1], [0, 1]]))
    assert shares == pytest.approx([0.3, 0.7])
    assert weights.extreme is False


def test_cells_with_counts_give_the_same_weights_as_one_row_per_respondent():
    cells = weighting.post_stratify(np.array([1, 2, 3]), np.array([100, 200, 300, 200, 100, 100]),
                                    counts=np.array([2, 1, 1]))
    assert cells.weights == pytest.approx([0.6, 1.2, 1.6]) and cells.n == 4
    assert cells.effective_n == pytest.approx(16 / 4.72)
    assert weighting.weighted_shares(cells, np.array([[2, 0], [0, 1], [0, 1]])) == pytest.approx([0.3, 0.7])
    one_by_one = weighting.rake(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), np.array([[30, 10], [20, 40]]))
    grouped = weighting.rake(np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([[30, 10], [20, 40]]),
                             counts=np.array([1, 1, 2]))
    assert grouped.weights == pytest.approx(one_by_one.weights[:3], abs=1e-5)


def test_respondents_without_a_band_are_left_out():
    weights = weighting.post_stratify(np.array([0, -1, 1]), np.array([50, 50]))
    assert weights.weights == pytest.approx([1, 0, 1]) and weights.n == 2 and weights.left_out == 1


def test_raking_reaches_both_margins():
    bands = np.array([0, 0, 0, 1, 1, 0, 1, 1])
    places = np.array([0, 0, 1, 1, 1, 1, 0, 0])
    population = np.array([[300, 100], [200, 400]])  # places × bands
    weights = weighting.rake(bands, places, population)
    w = weights.weights
    assert w[bands == 0].sum() / w.sum() == pytest.approx(0.5, abs=1e-5)
    assert w[places == 0].sum() / w.sum() == pytest.approx(0.4, abs=1e-5)
    assert weights.method == "raking" and w.mean() == pytest.approx(1)


def test_a_commune_without_respondents_is_dropped_from_raking():
    weights = weighting.rake(np.array([0, 1]), np.array([0, 0]), np.array([[10, 10], [30, 50]]))
    assert weights.dropped == [1] and weights.weights == pytest.approx([1, 1])


def test_extreme_weights_are_flagged():
    bands = np.array([0] * 99 + [1])  # one respondent stands for half the population
    weights = weighting.post_stratify(bands, np.array([50, 50]))
    assert weights.max_weight == pytest.approx(50) and weights.extreme
