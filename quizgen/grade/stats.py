"""Item analysis of a graded exam: pure NumPy functions behind ``quizgen report``.

Conventions used throughout:

* ``scores`` has shape (n_students, n_items); item i is scored in [0, max_points[i]].
* ``totals`` is ``scores.sum(axis=1)``, the students' raw totals.
* "Proportion" means score / max_points, so 0/1 and partial-credit items share one scale.
* A statistic that is undefined for the data (a correlation with a constant, a
  variance of one student, a reliability with no spread of totals) is ``nan``,
  never an exception and never a RuntimeWarning. Malformed input raises ValueError.

References: Crocker & Algina (1986), *Introduction to Classical and Modern Test
Theory*, ch. 14 (difficulty, discrimination, point-biserial) and ch. 7
(reliability); Kelley (1939) for the 27 % groups; Cronbach (1951); Kuder &
Richardson (1937).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence

import numpy as np

BLANK = "blank"
INVALID = "invalid"


def _matrix(scores, max_points=None) -> np.ndarray:
    """Return ``scores`` as a float (n, k) array, checking its shape and range."""
    x = np.asarray(scores, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"scores must be a non-empty (n_students, n_items) matrix, got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("scores must be finite")
    if max_points is not None:
        m = np.asarray(max_points, dtype=float)
        if m.shape != (x.shape[1],):
            raise ValueError(f"max_points must have shape ({x.shape[1]},), got {m.shape}")
        if not np.all(m > 0):
            raise ValueError("max_points must be positive")
        if np.any(x < 0) or np.any(x > m):
            raise ValueError("each score must lie in [0, max_points] of its item")
    return x


def _vector(values, n: int | None = None, name: str = "totals") -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size == 0 or (n is not None and v.size != n):
        want = f"({n},)" if n is not None else "(n,) with n >= 1"
        raise ValueError(f"{name} must have shape {want}, got {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite")
    return v


def _is_constant(v: np.ndarray) -> bool:
    """True when v has no spread beyond floating-point noise (so its variance is 0)."""
    return np.ptp(v) <= 1e-12 * max(1.0, float(np.max(np.abs(v))))


def describe(totals) -> dict:
    """Summary of the totals.

    mean = sum(t) / n;  std = sqrt(sum((t - mean)^2) / (n - 1))  (sample, ddof=1; nan if n == 1);
    median and quartiles (q1, q2, q3) by linear interpolation between order statistics
    (numpy's default, Hyndman & Fan 1996 type 7), so q2 == median.

    Returns dict with keys n, mean, median, std, min, max, quartiles.
    """
    t = _vector(totals)
    q1, q2, q3 = (float(q) for q in np.percentile(t, [25, 50, 75]))
    return {
        "n": int(t.size),
        "mean": float(t.mean()),
        "median": q2,
        "std": float(t.std(ddof=1)) if t.size > 1 else math.nan,
        "min": float(t.min()),
        "max": float(t.max()),
        "quartiles": (q1, q2, q3),
    }


NICE_STEPS = (1, 2, 2.5, 5)  # bin widths, times a power of ten, that people read at a glance


def nice_edges(max_total: float, max_bins: int) -> np.ndarray:
    """Bin edges 0, w, 2w, ... covering [0, max_total] in at most ``max_bins`` bins, with the
    narrowest "nice" width w: 1, 2, 2.5 or 5 times a power of ten (whole points once w >= 1;
    0.25 or 0.5 only for a small total). The last edge is the first multiple of w at or above
    max_total, so 38 points in 10 bins gives 0, 4, ..., 40, never 3.8, 7.6, ...

    Returns a float array of (number of bins + 1) edges; each is an exact multiple of w
    written with at most two decimals.
    """
    if not max_total > 0:
        raise ValueError(f"max_total must be positive, got {max_total!r}")
    if int(max_bins) != max_bins or max_bins < 1:
        raise ValueError(f"max_bins must be a positive integer, got {max_bins!r}")
    power = 10.0 ** math.floor(math.log10(max_total / max_bins))
    for width in sorted({round(m * p, 10) for p in (power / 10, power, power * 10) for m in NICE_STEPS}):
        if width >= 0.25 and math.ceil(max_total / width - 1e-9) <= max_bins:
            break
    bins = math.ceil(max_total / width - 1e-9)
    return np.array([round(k * width, 2) for k in range(bins + 1)])


def histogram(totals, bins, max_total: float):
    """Counts of totals in bins covering [0, max_total].

    ``bins`` an integer: that many equal bins, edges = linspace(0, max_total, bins + 1).
    ``bins`` a sequence: those edges (increasing, from at most 0 to at least max_total;
    :func:`nice_edges` gives readable ones). Bin j is [edges[j], edges[j+1]) except the
    last, which is closed, [edges[-2], edges[-1]], so a perfect score is counted.

    Returns (counts: int array (bins,), edges: float array (bins + 1,)).
    """
    t = _vector(totals)
    if not max_total > 0:
        raise ValueError(f"max_total must be positive, got {max_total!r}")
    if np.any(t < 0) or np.any(t > max_total):
        raise ValueError("totals must lie in [0, max_total]")
    if np.ndim(bins) == 1:
        edges = np.asarray(bins, dtype=float)
        if edges.size < 2 or np.any(np.diff(edges) <= 0) or edges[0] > 0 or edges[-1] < max_total:
            raise ValueError("edges must increase and cover [0, max_total]")
    else:
        if int(bins) != bins or bins < 1:
            raise ValueError(f"bins must be a positive integer, got {bins!r}")
        edges = np.linspace(0.0, float(max_total), int(bins) + 1)
    counts, _ = np.histogram(t, bins=edges)
    return counts, edges


def difficulty(scores, max_points) -> np.ndarray:
    """Item difficulty (facility) index, per item: p_i = (1/n) sum_s scores[s, i] / max_i.

    For a 0/1 item this is the classical p-value, the proportion of students with full
    marks. For a partial-credit item it is the mean proportion of the item's points
    earned (not the proportion with full marks), e.g. scores 2, 1, 0 out of 2 give 0.5.
    Higher p means an easier item. Returns float array (n_items,).
    """
    x = _matrix(scores, max_points)
    return (x / np.asarray(max_points, dtype=float)).mean(axis=0)


def discrimination_index(scores, max_points, totals, fraction: float = 0.27) -> np.ndarray:
    """Upper-lower discrimination index (Kelley 1939), per item: D_i = p_upper,i - p_lower,i.

    g = max(1, floor(n * fraction)) students form each group. Students are sorted by total
    with a stable sort, so among equal totals the one earlier in ``scores`` counts as
    lower: the lower group is the first g of that order, the upper group the last g.
    p_upper,i and p_lower,i are the groups' mean proportions score / max_i, as in
    ``difficulty``. D lies in [-1, 1]; D < 0 means weaker students did better on the item.
    With one student both groups are that student and D = 0.
    0 < fraction <= 0.5 keeps the groups apart (for n >= 2). Returns float array (n_items,).
    """
    x = _matrix(scores, max_points)
    t = _vector(totals, x.shape[0])
    if not 0 < fraction <= 0.5:
        raise ValueError(f"fraction must be in (0, 0.5], got {fraction!r}")
    n = x.shape[0]
    g = max(1, math.floor(n * fraction + 1e-9))  # 1e-9: n * fraction a hair under an integer
    order = np.argsort(t, kind="stable")
    prop = x / np.asarray(max_points, dtype=float)
    return prop[order[-g:]].mean(axis=0) - prop[order[:g]].mean(axis=0)


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    """r = sum (a - mean a)(b - mean b) / sqrt(sum (a - mean a)^2 * sum (b - mean b)^2)."""
    if a.size < 2 or _is_constant(a) or _is_constant(b):
        return math.nan
    da, db = a - a.mean(), b - b.mean()
    r = float(da @ db / math.sqrt(float(da @ da) * float(db @ db)))
    return min(1.0, max(-1.0, r))


def point_biserial(scores, totals, corrected: bool = True) -> np.ndarray:
    """Item-total correlation, per item: Pearson r between scores[:, i] and a criterion.

    corrected=True (default): the criterion is the rest score totals - scores[:, i], the
    "corrected item-total" or "item-rest" correlation, which does not count the item
    against itself. corrected=False: the criterion is totals.
    For a 0/1 item Pearson's r equals the point-biserial r_pb = (M1 - M0) / s_n * sqrt(p q)
    (s_n the ddof=0 std of the criterion); for partial-credit items it is simply Pearson's r.
    nan when the item or its criterion has zero variance, or n < 2. Returns (n_items,).
    """
    x = _matrix(scores)
    t = _vector(totals, x.shape[0])
    return np.array([_pearson(x[:, i], t - x[:, i] if corrected else t)
                     for i in range(x.shape[1])])


def cronbach_alpha(scores) -> float:
    """Cronbach's (1951) alpha: alpha = k / (k - 1) * (1 - sum_i var(item_i) / var(totals)).

    All variances use ddof=1 (sample variances). The convention cancels in the ratio, so
    alpha is the same with ddof=0 throughout; only mixing conventions changes it.
    alpha <= 1 always (var(totals) <= k * sum var(item_i)); it can be negative.
    nan when k < 2, n < 2 or var(totals) == 0.
    """
    x = _matrix(scores)
    n, k = x.shape
    totals = x.sum(axis=1)
    if k < 2 or n < 2 or _is_constant(totals):
        return math.nan
    return k / (k - 1) * (1.0 - x.var(axis=0, ddof=1).sum() / totals.var(ddof=1))


def kr20(binary_scores) -> float:
    """Kuder-Richardson formula 20 (1937) for 0/1 items:

        KR-20 = k / (k - 1) * (1 - sum_i p_i q_i / var(totals)),  q_i = 1 - p_i,

    p_i the proportion correct. p_i q_i is the population (ddof=0) variance of item i, so
    var(totals) here is also the population variance, sum (t - mean t)^2 / n (ddof=0), as in
    Kuder & Richardson's own derivation. With these matching conventions KR-20 equals
    ``cronbach_alpha`` exactly on 0/1 data. (Some texts divide p q by the sample variance of
    the totals instead; that mixes conventions, shrinks the ratio by (n - 1)/n and gives a
    value above alpha.) nan when k < 2, n < 2 or var(totals) == 0.
    """
    x = _matrix(binary_scores)
    if not np.all((x == 0) | (x == 1)):
        raise ValueError("kr20 needs 0/1 scores; use cronbach_alpha for partial credit")
    n, k = x.shape
    totals = x.sum(axis=1)
    if k < 2 or n < 2 or _is_constant(totals):
        return math.nan
    p = x.mean(axis=0)
    return k / (k - 1) * (1.0 - float((p * (1 - p)).sum()) / totals.var(ddof=0))


def flag_items(discrimination, point_biserial) -> list[int]:
    """Indices i (ascending) with D_i < 0 or r_i < 0: items the stronger students do worse on.

    nan (undefined) values never flag an item by themselves.
    """
    d = np.asarray(discrimination, dtype=float)
    r = np.asarray(point_biserial, dtype=float)
    if d.ndim != 1 or r.shape != d.shape:
        raise ValueError(f"discrimination {d.shape} and point_biserial {r.shape} must be (k,)")
    return [int(i) for i in np.flatnonzero((d < 0) | (r < 0))]


def breakdown(item_scores, max_point: float, groups: Sequence[Hashable]) -> dict:
    """One item's proportion score per value of a grouping variable (e.g. a template parameter).

    For each distinct g in ``groups``: n_g = #{s : groups[s] == g} and
    mean_g = (1/n_g) sum_{s in g} item_scores[s] / max_point, the difficulty p within the group.
    Returns {g: {"n": n_g, "mean": mean_g}} ordered by ascending g, so lower means show
    which parameter values were harder.
    """
    s = _vector(item_scores, name="item_scores")
    if len(groups) != s.size:
        raise ValueError(f"groups has {len(groups)} entries for {s.size} scores")
    if not max_point > 0 or np.any(s < 0) or np.any(s > max_point):
        raise ValueError("item_scores must lie in [0, max_point] with max_point > 0")
    members: dict = {}
    for value, score in zip(groups, s / max_point):
        members.setdefault(value, []).append(score)
    return {g: {"n": len(members[g]), "mean": float(np.mean(members[g]))}
            for g in sorted(members)}


def choice_counts(responses: Iterable, options: Sequence[str]) -> Counter:
    """How often each option (a choice letter or a named mistake) was given.

    A response is compared with the options after stripping surrounding whitespace, exactly
    otherwise (case-sensitive). None or an empty/whitespace response counts as "blank";
    anything else that is not an option counts as "invalid". Every option appears, with 0
    if never chosen, in the given order, followed by "blank" and "invalid".
    """
    options = list(options)
    if BLANK in options or INVALID in options or len(set(options)) != len(options):
        raise ValueError("options must be distinct and may not be named 'blank' or 'invalid'")
    counts = Counter({o: 0 for o in options + [BLANK, INVALID]})
    known = set(options)
    for r in responses:
        text = "" if r is None else str(r).strip()
        counts[text if text in known else BLANK if not text else INVALID] += 1
    return counts
