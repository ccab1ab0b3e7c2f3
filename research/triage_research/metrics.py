"""Binary classification metrics, mirrored line for line by packages/model/src/metrics.ts.

Conventions both implementations share, so the TypeScript evaluation reproduces the model card:
- labels are 0 (normal) / 1 (pneumonia); scores are compared in float64;
- a case is predicted positive when ``risk >= threshold``;
- AUC is the Mann-Whitney statistic with average ranks for ties, computed on the logit (the
  risk saturates to exactly 1.0 in float32 for confident cases, the logit does not);
- ECE uses 15 equal-width bins over the risk, bin = min(floor(risk * 15), 14), and weighs each
  bin's |mean(label) - mean(risk)| by its share of cases (the reliability of the risk itself).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
import numpy as np

ECE_BINS = 15


def _as_labels(labels: np.ndarray) -> np.ndarray:
    y = np.asarray(labels).reshape(-1).astype(np.int64)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("labels must be 0 or 1")
    return y


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve (probability a random positive outranks a random negative)."""
    y = _as_labels(labels)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    sorted_scores = s[order]
    ranks = np.empty(s.size, dtype=np.float64)
    i = 0
    while i < s.size:
        j = i
        while j + 1 < s.size and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0  # average 1-based rank of the tie group
        i = j + 1
    rank_sum = float(ranks[y == 1].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


@dataclass(frozen=True)
class Confusion:
    tp: int
    fp: int
    tn: int
    fn: int

    def as_dict(self) -> dict[str, int]:
        return {"tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn}


def confusion(labels: np.ndarray, risks: np.ndarray, threshold: float) -> Confusion:
    y = _as_labels(labels)
    predicted = np.asarray(risks, dtype=np.float64).reshape(-1) >= threshold
    return Confusion(
        tp=int(np.sum(predicted & (y == 1))),
        fp=int(np.sum(predicted & (y == 0))),
        tn=int(np.sum(~predicted & (y == 0))),
        fn=int(np.sum(~predicted & (y == 1))),
    )


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


def expected_calibration_error(labels: np.ndarray, risks: np.ndarray, bins: int = ECE_BINS) -> float:
    y = _as_labels(labels).astype(np.float64)
    p = np.asarray(risks, dtype=np.float64).reshape(-1)
    index = np.minimum(np.floor(p * bins).astype(np.int64), bins - 1)
    total = 0.0
    for b in range(bins):
        members = index == b
        count = int(members.sum())
        if count == 0:
            continue
        total += (count / p.size) * abs(float(y[members].mean()) - float(p[members].mean()))
    return total


def point_metrics(labels: np.ndarray, logits: np.ndarray, risks: np.ndarray, threshold: float) -> dict:
    """Every figure of the report at one operating point."""
    c = confusion(labels, risks, threshold)
    n = c.tp + c.fp + c.tn + c.fn
    sensitivity = _ratio(c.tp, c.tp + c.fn)
    specificity = _ratio(c.tn, c.tn + c.fp)
    precision = _ratio(c.tp, c.tp + c.fp)
    f1 = _ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn)
    return {
        "n": n,
        "auc": roc_auc(labels, logits),
        "accuracy": (c.tp + c.tn) / n,
        "sensitivity": sensitivity,
        "specificity": specificity,
        "precision": precision,
        "f1": f1,
        "ece": expected_calibration_error(labels, risks),
        "confusion": c.as_dict(),
    }


BOOTSTRAPPED = ("auc", "accuracy", "sensitivity", "specificity", "f1", "ece")


def bootstrap_ci(
    labels: np.ndarray,
    logits: np.ndarray,
    risks: np.ndarray,
    threshold: float,
    resamples: int = 2000,
    seed: int = 20240117,
    level: float = 0.95,
) -> dict[str, list[float]]:
    """Percentile bootstrap intervals: cases resampled with replacement, the threshold held fixed."""
    y = _as_labels(labels)
    z = np.asarray(logits, dtype=np.float64).reshape(-1)
    p = np.asarray(risks, dtype=np.float64).reshape(-1)
    rng = np.random.default_rng(seed)
    samples: dict[str, list[float]] = {k: [] for k in BOOTSTRAPPED}
    for _ in range(resamples):
        idx = rng.integers(0, y.size, size=y.size)
        m = point_metrics(y[idx], z[idx], p[idx], threshold)
        for k in BOOTSTRAPPED:
            if not math.isnan(m[k]):
                samples[k].append(m[k])
    alpha = (1.0 - level) / 2.0
    return {
        k: [float(np.quantile(v, alpha)), float(np.quantile(v, 1.0 - alpha))] for k, v in samples.items()
    }


def sensitivity_first_threshold(labels: np.ndarray, risks: np.ndarray, min_sensitivity: float) -> float:
    """The highest threshold whose sensitivity on these cases is still >= min_sensitivity.

    Chosen on VALIDATION only. The threshold sits halfway between the last positive that must be
    caught and the next lower risk, so tiny numeric differences between runtimes do not flip it.
    """
    y = _as_labels(labels)
    p = np.asarray(risks, dtype=np.float64).reshape(-1)
    positives = np.sort(p[y == 1])[::-1]
    if positives.size == 0:
        raise ValueError("no positive cases to set a sensitivity-first threshold on")
    needed = int(math.ceil(min_sensitivity * positives.size - 1e-9))
    needed = min(max(needed, 1), positives.size)
    cut = positives[needed - 1]  # the needed-th highest positive risk must stay >= threshold
    below = p[p < cut]
    if below.size == 0:
        return float(cut)
    return float((cut + below.max()) / 2.0)


def fit_platt(logits: np.ndarray, labels: np.ndarray, iterations: int = 200) -> tuple[float, float]:
    """Platt scaling risk = sigmoid(a * logit + b), fitted by Newton's method on the NLL.

    Monotonic, so it changes calibration but never the ranking (AUC). Targets use Platt's
    smoothing ((n+1)/(n+2) and 1/(n+2)), which keeps the fit finite on separable data.
    """
    z = np.asarray(logits, dtype=np.float64).reshape(-1)
    raw = _as_labels(labels)
    n_pos, n_neg = int(raw.sum()), int(raw.size - raw.sum())
    y = np.where(raw == 1, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    def nll(a: float, b: float) -> float:
        t = a * z + b
        return float(np.sum(np.logaddexp(0.0, t) - y * t))

    a, b = 1.0, 0.0
    current = nll(a, b)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(a * z + b)))
        w = np.maximum(p * (1.0 - p), 1e-12)
        g = np.array([np.sum((p - y) * z), np.sum(p - y)])
        h = np.array([[np.sum(w * z * z), np.sum(w * z)], [np.sum(w * z), np.sum(w)]]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(h, g)
        scale = 1.0
        while scale > 1e-8:  # damped Newton: halve the step until the NLL goes down
            candidate = nll(a - scale * step[0], b - scale * step[1])
            if candidate <= current:
                break
            scale /= 2.0
        a, b, current = a - scale * step[0], b - scale * step[1], candidate
        if np.max(np.abs(scale * step)) < 1e-10:
            break
    return float(a), float(b)
