import math

import numpy as np
import pytest

from triage_research.metrics import (
    bootstrap_ci,
    confusion,
    expected_calibration_error,
    fit_platt,
    point_metrics,
    roc_auc,
    sensitivity_first_threshold,
)


def test_auc_known_values_and_ties():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert roc_auc([0, 1], [0.3, 0.3]) == 0.5
    assert roc_auc([0, 0, 1, 1], [0.2, 0.5, 0.5, 0.9]) == pytest.approx(0.875)  # one tie counts half
    assert roc_auc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1]) == 1.0
    assert roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 0.0
    assert math.isnan(roc_auc([1, 1], [0.1, 0.2]))


def test_auc_equals_pairwise_definition():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    s = np.round(rng.normal(size=300) + y, 1)  # rounded: many ties
    pos, neg = s[y == 1], s[y == 0]
    pairwise = ((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])).mean()
    assert roc_auc(y, s) == pytest.approx(pairwise, abs=1e-12)


def test_confusion_and_point_metrics():
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    p = np.array([0.9, 0.8, 0.6, 0.2, 0.7, 0.4, 0.3, 0.2, 0.1, 0.05])
    c = confusion(y, p, 0.5)
    assert (c.tp, c.fn, c.fp, c.tn) == (3, 1, 1, 5)
    assert confusion(y, p, 0.6).tp == 3, "risk == threshold counts as positive"
    m = point_metrics(y, np.log(p / (1 - p)), p, 0.5)
    assert m["accuracy"] == pytest.approx(0.8)
    assert m["sensitivity"] == pytest.approx(0.75)
    assert m["specificity"] == pytest.approx(5 / 6)
    assert m["precision"] == pytest.approx(0.75)
    assert m["f1"] == pytest.approx(0.75)
    assert m["auc"] == pytest.approx(roc_auc(y, p))
    assert m["confusion"] == {"tp": 3, "fp": 1, "tn": 5, "fn": 1}


def test_ece_known_values():
    # Perfectly calibrated: every case says 0.8 and 80 % are positive.
    assert expected_calibration_error([1, 1, 1, 1, 0], [0.8] * 5) == pytest.approx(0.0)
    # Two bins: 0.9 with 50 % positives (gap 0.4) and 0.1 with 0 % positives (gap 0.1), equal weight.
    assert expected_calibration_error([1, 0, 0, 0], [0.9, 0.9, 0.1, 0.1]) == pytest.approx(0.25)
    # A risk of exactly 1.0 falls into the last bin, not a 16th one.
    assert expected_calibration_error([1, 1], [1.0, 1.0]) == pytest.approx(0.0)
    assert expected_calibration_error([0, 0], [1.0, 1.0]) == pytest.approx(1.0)


def test_bootstrap_ci_contains_estimate_matches_binomial_and_is_reproducible():
    rng = np.random.default_rng(0)
    n = 1000
    y = rng.integers(0, 2, n)
    correct = rng.random(n) < 0.9
    p = np.where(correct, np.where(y == 1, 0.8, 0.2), np.where(y == 1, 0.2, 0.8))
    z = np.log(p / (1 - p))
    ci = bootstrap_ci(y, z, p, 0.5, resamples=1000, seed=1)
    acc = point_metrics(y, z, p, 0.5)["accuracy"]
    half_width = 1.96 * math.sqrt(acc * (1 - acc) / n)
    assert ci["accuracy"][0] < acc < ci["accuracy"][1]
    assert ci["accuracy"][0] == pytest.approx(acc - half_width, abs=0.006)
    assert ci["accuracy"][1] == pytest.approx(acc + half_width, abs=0.006)
    assert bootstrap_ci(y, z, p, 0.5, resamples=200, seed=7) == bootstrap_ci(y, z, p, 0.5, resamples=200, seed=7)
    separable = bootstrap_ci([0, 0, 1, 1] * 10, [-1, -2, 1, 2] * 10, [0.2, 0.1, 0.8, 0.9] * 10, 0.5, resamples=100)
    assert separable["auc"] == [1.0, 1.0] and separable["sensitivity"] == [1.0, 1.0]


def test_sensitivity_first_threshold_is_the_highest_that_keeps_the_target():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 500)
    p = 1 / (1 + np.exp(-(rng.normal(size=500) + 2 * y - 1)))
    for target in (0.9, 0.95, 0.98, 1.0):
        t = sensitivity_first_threshold(y, p, target)
        sens = confusion(y, p, t).tp / y.sum()
        assert sens >= target
        lowest_caught = np.min(p[p >= t])
        higher = np.nextafter(lowest_caught, 1.0)
        assert confusion(y, p, higher).tp / y.sum() < target, "a higher threshold would still have met it"


def test_platt_recovers_known_parameters():
    rng = np.random.default_rng(11)
    z = rng.normal(scale=3, size=20000)
    y = (rng.random(20000) < 1 / (1 + np.exp(-(0.5 * z - 1.0)))).astype(int)
    a, b = fit_platt(z, y)
    assert a == pytest.approx(0.5, abs=0.03) and b == pytest.approx(-1.0, abs=0.05)
    a, b = fit_platt([-2, -1, 1, 2], [0, 0, 1, 1])  # separable: stays finite
    assert math.isfinite(a) and math.isfinite(b) and a > 0
