"""Item analysis (quizgen.grade.stats): a hand-worked fixture, scipy oracles, properties, edge cases.

The expected numbers of the hand fixture were worked out on paper (written below as
fractions) and never copied from the code's output.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from quizgen.grade.stats import (breakdown, choice_counts, cronbach_alpha, describe, difficulty,
    discrimination_index, flag_items, histogram, kr20, point_biserial)


@pytest.fixture(scope="module")
def sps():
    """scipy.stats, the oracle for correlations and summaries."""
    return pytest.importorskip("scipy.stats", reason="the scipy oracle is not installed")


# --------------------------------------------------------------------------------------------
# Hand fixture: 6 students x 4 items; items 0-2 are 0/1, item 3 is partial credit out of 2.
#
#          i0 i1 i2 i3 | T   (T - mean T, mean T = 15/6 = 2.5)
#     S1:   1  1  1  2 | 5    2.5
#     S2:   1  1  0  2 | 4    1.5
#     S3:   1  0  1  1 | 3    0.5
#     S4:   0  0  0  1 | 1   -1.5
#     S5:   1  0  0  0 | 1   -1.5
#     S6:   0  0  1  0 | 1   -1.5
#     SS_T = sum (T - 2.5)^2 = 6.25 + 2.25 + 0.25 + 3 * 2.25 = 15.5
# --------------------------------------------------------------------------------------------
SCORES = np.array([[1, 1, 1, 2],
                   [1, 1, 0, 2],
                   [1, 0, 1, 1],
                   [0, 0, 0, 1],
                   [1, 0, 0, 0],
                   [0, 0, 1, 0]], dtype=float)
MAXP = np.array([1, 1, 1, 2], dtype=float)
TOTALS = SCORES.sum(axis=1)


def test_hand_difficulty():
    # i0: 4 of 6 correct = 2/3;  i1: 2/6 = 1/3;  i2: 3/6 = 1/2;
    # i3: points 2+2+1+1+0+0 = 6 of 6 * 2 = 12 possible -> mean proportion 1/2.
    assert difficulty(SCORES, MAXP) == pytest.approx([2 / 3, 1 / 3, 1 / 2, 1 / 2], abs=1e-15)


def test_hand_discrimination_with_ties():
    # n = 6, g = max(1, floor(6 * 0.27)) = floor(1.62) = 1.
    # Stable ascending order by T: S4(1), S5(1), S6(1), S3(3), S2(4), S1(5).
    # The three-way tie at T = 1 goes to the earliest row: lower = {S4}, upper = {S1}.
    # D = S1 - S4 (as proportions): i0 1-0 = 1, i1 1-0 = 1, i2 1-0 = 1, i3 2/2 - 1/2 = 1/2.
    # (Had S5 been taken, i0 would give 0; had S6, i2 would give 0: the tie rule matters.)
    assert discrimination_index(SCORES, MAXP, TOTALS) == pytest.approx([1, 1, 1, 0.5])
    # fraction 0.5: g = 3; lower = {S4, S5, S6}, upper = {S3, S2, S1}.
    # i0: 3/3 - 1/3 = 2/3;  i1: 2/3 - 0 = 2/3;  i2: 2/3 (S1, S3) - 1/3 (S6) = 1/3;
    # i3: (1+2+2)/(3*2) - (1+0+0)/(3*2) = 5/6 - 1/6 = 2/3.
    assert discrimination_index(SCORES, MAXP, TOTALS, fraction=0.5) == pytest.approx(
        [2 / 3, 2 / 3, 1 / 3, 2 / 3])


def test_hand_point_biserial():
    # r = S_xy / sqrt(SS_x SS_y). With x the item and T the total, S_xT = sum x * (T - 2.5).
    # For the rest score R = T - x:  S_xR = S_xT - SS_x,  SS_R = SS_T - 2 S_xT + SS_x.
    # i0: x = 1,1,1,0,1,0, p = 2/3: SS_x = n p q = 6 * 2/9 = 4/3;
    #     S_xT = 2.5 + 1.5 + 0.5 - 1.5 = 3           -> r = 3 / sqrt(4/3 * 15.5) = sqrt(27/62)
    #     S_xR = 3 - 4/3 = 5/3, SS_R = 15.5 - 6 + 4/3 = 65/6
    #     (check: R = 4,3,2,1,0,1, mean 11/6, SS = 10.833 = 65/6)
    #                                                 -> r = (5/3) / sqrt(4/3 * 65/6) = 5/sqrt(130)
    # i1: x = 1,1,0,0,0,0, p = 1/3: SS_x = 4/3; S_xT = 2.5 + 1.5 = 4
    #                                                 -> r = 4 / sqrt(62/3) = sqrt(24/31)
    #     S_xR = 4 - 4/3 = 8/3, SS_R = 15.5 - 8 + 4/3 = 53/6
    #     (check: R = 4,3,3,1,1,1, mean 13/6, SS = 8.833 = 53/6)
    #                                                 -> r = (8/3) / sqrt(4/3 * 53/6) = 8/sqrt(106)
    # i2: x = 1,0,1,0,0,1, p = 1/2: SS_x = 1.5; S_xT = 2.5 + 0.5 - 1.5 = 1.5
    #                                                 -> r = 1.5 / sqrt(1.5 * 15.5) = sqrt(3/31)
    #     S_xR = 1.5 - 1.5 = 0 (rest R = 4,4,2,1,1,0: mean 2 when x = 1 and when x = 0) -> r = 0
    # i3: x = 2,2,1,1,0,0, mean 1: SS_x = 1+1+0+0+1+1 = 4; S_xT = 2*2.5 + 2*1.5 + 0.5 - 1.5 = 7
    #                                                 -> r = 7 / sqrt(4 * 15.5) = 7/sqrt(62)
    #     S_xR = 7 - 4 = 3, SS_R = 15.5 - 14 + 4 = 5.5 (check: R = 3,2,2,0,1,1, SS = 5.5)
    #                                                 -> r = 3 / sqrt(4 * 5.5) = 3/sqrt(22)
    uncorrected = [math.sqrt(27 / 62), math.sqrt(24 / 31), math.sqrt(3 / 31), 7 / math.sqrt(62)]
    corrected = [5 / math.sqrt(130), 8 / math.sqrt(106), 0.0, 3 / math.sqrt(22)]
    assert point_biserial(SCORES, TOTALS, corrected=False) == pytest.approx(uncorrected, abs=1e-12)
    assert point_biserial(SCORES, TOTALS) == pytest.approx(corrected, abs=1e-12)
    # numerically: 0.6599, 0.8799, 0.3111, 0.8890 and 0.4385, 0.7770, 0, 0.6396
    assert point_biserial(SCORES, TOTALS) == pytest.approx([0.4385, 0.7770, 0, 0.6396], abs=1e-4)


def test_hand_alpha_and_kr20():
    # alpha, all 4 items. ddof cancels, so use sums of squares:
    #   sum SS_items = 4/3 + 4/3 + 3/2 + 4 = 49/6;  SS_T = 31/2  (consistency: the S_xT of the
    #   four items sum to SS_T: 3 + 4 + 1.5 + 7 = 15.5)
    #   alpha = 4/3 * (1 - (49/6) / (31/2)) = 4/3 * (1 - 49/93) = 4/3 * 44/93 = 176/279 = 0.6308
    assert cronbach_alpha(SCORES) == pytest.approx(176 / 279, abs=1e-12)
    # KR-20 on the 0/1 items 0-2: totals B = 3,2,2,0,1,1, mean 1.5,
    #   SS_B = 2.25 + 0.25 + 0.25 + 2.25 + 0.25 + 0.25 = 5.5, var_0(B) = 5.5/6 = 11/12.
    #   sum p q = (2/3)(1/3) + (1/3)(2/3) + (1/2)(1/2) = 2/9 + 2/9 + 1/4 = 25/36.
    #   KR-20 = 3/2 * (1 - (25/36) / (11/12)) = 3/2 * (1 - 25/33) = 3/2 * 8/33 = 4/11 = 0.3636
    # alpha on the same items: sum SS_items = 4/3 + 4/3 + 3/2 = 25/6; ratio (25/6)/5.5 = 25/33,
    #   the same ratio, so alpha = 4/11 too.
    assert kr20(SCORES[:, :3]) == pytest.approx(4 / 11, abs=1e-12)
    assert cronbach_alpha(SCORES[:, :3]) == pytest.approx(4 / 11, abs=1e-12)


def test_hand_describe_and_histogram():
    # T sorted: 1,1,1,3,4,5. mean 2.5; median (1+3)/2 = 2; std = sqrt(15.5/5) = sqrt(3.1).
    # Quartiles (linear, position (n-1) q): q1 at 1.25 -> between 1 and 1 = 1;
    #   q3 at 3.75 -> 3 + 0.75 * (4 - 3) = 3.75.
    d = describe(TOTALS)
    assert d["n"] == 6 and d["min"] == 1 and d["max"] == 5
    assert d["mean"] == pytest.approx(2.5) and d["median"] == pytest.approx(2.0)
    assert d["std"] == pytest.approx(math.sqrt(3.1))
    assert d["quartiles"] == pytest.approx((1.0, 2.0, 3.75))
    # 5 bins over 0..5: [0,1) [1,2) [2,3) [3,4) [4,5] -> 0, 3, 0, 1, 2 (the 5 lands in the last).
    counts, edges = histogram(TOTALS, bins=5, max_total=5)
    assert counts.tolist() == [0, 3, 0, 1, 2]
    assert edges.tolist() == [0, 1, 2, 3, 4, 5]
    counts, edges = histogram([0, 10, 10, 2.5], bins=4, max_total=10)
    assert counts.tolist() == [1, 1, 0, 2] and edges[-1] == 10


def test_hand_breakdown_and_choices():
    # Item 3 (out of 2) by a parameter: proportions 1, 1, .5, .5, 0, 0.
    #   4: S1, S3 -> (1 + .5)/2 = .75;  8: S2, S5 -> (1 + 0)/2 = .5;  16: S4, S6 -> (.5 + 0)/2 = .25
    out = breakdown(SCORES[:, 3], 2, [4, 8, 4, 16, 8, 16])
    assert list(out) == [4, 8, 16]
    assert out == {4: {"n": 2, "mean": 0.75}, 8: {"n": 2, "mean": 0.5}, 16: {"n": 2, "mean": 0.25}}
    c = choice_counts(["A", " B", "A", None, "", "  ", "Z", "sign_flip", "a"],
                      ["A", "B", "C", "sign_flip"])
    assert dict(c) == {"A": 2, "B": 1, "C": 0, "sign_flip": 1, "blank": 3, "invalid": 2}
    assert list(c) == ["A", "B", "C", "sign_flip", "blank", "invalid"]
    assert sum(c.values()) == 9
    with pytest.raises(ValueError):
        choice_counts(["A"], ["A", "blank"])


# --------------------------------------------------------------------------------------------
# Negative discrimination is flagged.
# --------------------------------------------------------------------------------------------
def test_flags_item_the_best_students_get_wrong(rng):
    n = 40
    ability = np.sort(rng.random(n))                  # student s is weaker than student s + 1
    good = (rng.random((n, 5)) < ability[:, None]).astype(float)
    trap = (ability < 0.3).astype(float)              # only the weakest students get it "right"
    scores = np.column_stack([good, trap])
    totals = scores.sum(axis=1)
    D = discrimination_index(scores, np.ones(6), totals)
    r = point_biserial(scores, totals)
    assert D[5] == pytest.approx(-1.0)                # floor(40*.27) = 10 from each end
    assert r[5] < 0
    assert 5 in flag_items(D, r)
    # flag_items on its own: either sign flags, nan alone never does
    assert flag_items([0.2, -0.1, 0.3, np.nan, 0.1], [0.3, 0.2, -0.05, np.nan, np.nan]) == [1, 2]


# --------------------------------------------------------------------------------------------
# scipy / numpy oracles on random data.
# --------------------------------------------------------------------------------------------
def _random_exam(rng, n=57, k=7):
    maxp = np.array([1, 1, 1, 2, 3, 1, 4], dtype=float)[:k]
    ability = rng.random(n)
    frac = np.clip(ability[:, None] + 0.3 * rng.standard_normal((n, k)), 0, 1)
    return np.round(frac * maxp), maxp


@pytest.mark.oracle
def test_point_biserial_against_scipy(sps, rng):
    scores, maxp = _random_exam(rng)
    totals = scores.sum(axis=1)
    unc, cor = point_biserial(scores, totals, corrected=False), point_biserial(scores, totals)
    for i in range(scores.shape[1]):
        x = scores[:, i]
        ref = (sps.pointbiserialr(x.astype(bool), totals).statistic if maxp[i] == 1
               else sps.pearsonr(x, totals).statistic)
        assert unc[i] == pytest.approx(ref, abs=1e-12)
        assert cor[i] == pytest.approx(sps.pearsonr(x, totals - x).statistic, abs=1e-12)
    assert np.all(cor < unc)  # removing the item from the total lowers its correlation here


@pytest.mark.oracle
def test_describe_against_scipy_and_numpy(sps, rng):
    totals = rng.integers(0, 40, size=33).astype(float)
    d, ref = describe(totals), sps.describe(totals)
    assert d["n"] == ref.nobs
    assert (d["min"], d["max"]) == tuple(ref.minmax)
    assert d["mean"] == pytest.approx(ref.mean, rel=1e-14)
    assert d["std"] == pytest.approx(math.sqrt(ref.variance), rel=1e-14)
    assert d["quartiles"] == pytest.approx(tuple(np.percentile(totals, [25, 50, 75])))
    assert d["median"] == pytest.approx(np.median(totals))
    counts, edges = histogram(totals, 8, 40)
    ref_counts, ref_edges = np.histogram(totals, bins=8, range=(0, 40))
    assert counts.tolist() == ref_counts.tolist() and np.allclose(edges, ref_edges)


def _alpha_covariance(x):
    """alpha = k/(k-1) (1 - trace(C) / sum(C)), C the item covariance matrix."""
    c, k = np.cov(x, rowvar=False), x.shape[1]
    return k / (k - 1) * (1 - np.trace(c) / c.sum())


def _alpha_hoyt(x):
    """Hoyt (1941): alpha = 1 - MS_residual / MS_students from a students x items ANOVA."""
    n, k = x.shape
    grand, rows, cols = x.mean(), x.mean(axis=1, keepdims=True), x.mean(axis=0, keepdims=True)
    ms_students = k * ((rows - grand) ** 2).sum() / (n - 1)
    ms_resid = ((x - rows - cols + grand) ** 2).sum() / ((n - 1) * (k - 1))
    return 1 - ms_resid / ms_students


def test_alpha_against_independent_forms(rng):
    scores, _ = _random_exam(rng)
    alpha = cronbach_alpha(scores)
    assert alpha == pytest.approx(_alpha_covariance(scores), abs=1e-12)
    assert alpha == pytest.approx(_alpha_hoyt(scores), abs=1e-12)
    binary = (scores[:, [0, 1, 2, 5]] > 0).astype(float)
    assert kr20(binary) == pytest.approx(cronbach_alpha(binary), abs=1e-12)
    # the mixed convention (p q over the ddof=1 total variance) is NOT alpha: it is larger
    k, p = binary.shape[1], binary.mean(axis=0)
    mixed = k / (k - 1) * (1 - (p * (1 - p)).sum() / binary.sum(axis=1).var(ddof=1))
    assert mixed > kr20(binary)
    with pytest.raises(ValueError):
        kr20(scores)


# --------------------------------------------------------------------------------------------
# Properties.
# --------------------------------------------------------------------------------------------
@st.composite
def exams(draw, min_n=2, binary=False):
    n = draw(st.integers(min_n, 15))
    k = draw(st.integers(2, 6))
    maxp = np.ones(k) if binary else np.array(draw(st.lists(st.integers(1, 3), min_size=k,
                                                            max_size=k)), dtype=float)
    frac = draw(arrays(np.float64, (n, k), elements=st.sampled_from([0.0, 1 / 3, 0.5, 2 / 3, 1.0])))
    return np.round(frac * maxp), maxp


@settings(max_examples=150, deadline=None)
@given(exams(), st.randoms(use_true_random=False))
def test_properties_alpha_and_student_permutation(exam, rnd):
    scores, maxp = exam
    totals = scores.sum(axis=1)
    alpha = cronbach_alpha(scores)
    assert math.isnan(alpha) or alpha <= 1 + 1e-12
    perm = np.array(rnd.sample(range(len(scores)), len(scores)))
    ps, pt = scores[perm], totals[perm]
    np.testing.assert_allclose(cronbach_alpha(ps), alpha, atol=1e-12)
    np.testing.assert_allclose(difficulty(ps, maxp), difficulty(scores, maxp), atol=1e-12)
    for corrected in (True, False):
        np.testing.assert_allclose(point_biserial(ps, pt, corrected),
                                   point_biserial(scores, totals, corrected), atol=1e-12)
    d, dp = describe(totals), describe(pt)
    for key in ("n", "mean", "median", "std", "min", "max", "quartiles"):
        np.testing.assert_allclose(dp[key], d[key], atol=1e-12)
    # D depends on the order of tied students only (the stable tie rule): a permutation that
    # keeps every group of equal totals in its original relative order leaves D unchanged
    keep = perm.copy()
    for value in np.unique(totals):
        slots = np.flatnonzero(totals[perm] == value)
        keep[slots] = np.sort(perm[slots])
    np.testing.assert_allclose(discrimination_index(scores[keep], maxp, totals[keep]),
                               discrimination_index(scores, maxp, totals), atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(exams(binary=True))
def test_property_kr20_equals_alpha_on_binary(exam):
    scores, _ = exam
    np.testing.assert_allclose(kr20(scores), cronbach_alpha(scores), atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.integers(2, 15), elements=st.integers(0, 4).map(float)),
       st.integers(2, 6))
def test_property_identical_items_alpha_one(column, k):
    assume(np.ptp(column) > 0)
    assert cronbach_alpha(np.tile(column[:, None], (1, k))) == pytest.approx(1.0, abs=1e-12)


# --------------------------------------------------------------------------------------------
# Edge cases: no crash, no RuntimeWarning, nan where undefined.
# --------------------------------------------------------------------------------------------
@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_all_students_equal(no_warnings):
    scores = np.tile([1.0, 0.0, 2.0], (5, 1))
    maxp, totals = np.array([1.0, 1.0, 2.0]), scores.sum(axis=1)
    assert np.all(np.isnan(point_biserial(scores, totals)))
    assert np.all(np.isnan(point_biserial(scores, totals, corrected=False)))
    assert math.isnan(cronbach_alpha(scores)) and math.isnan(kr20(scores[:, :2]))
    assert discrimination_index(scores, maxp, totals).tolist() == [0, 0, 0]
    assert difficulty(scores, maxp).tolist() == [1, 0, 1]
    assert describe(totals)["std"] == 0 and flag_items([0, 0, 0], [np.nan] * 3) == []


def test_one_student(no_warnings):
    scores, maxp = np.array([[1.0, 0.0, 1.0]]), np.ones(3)
    totals = scores.sum(axis=1)
    d = describe(totals)
    assert d["n"] == 1 and d["mean"] == d["median"] == d["min"] == d["max"] == 2
    assert math.isnan(d["std"]) and d["quartiles"] == (2, 2, 2)
    assert difficulty(scores, maxp).tolist() == [1, 0, 1]
    assert discrimination_index(scores, maxp, totals).tolist() == [0, 0, 0]
    assert np.all(np.isnan(point_biserial(scores, totals)))
    assert math.isnan(cronbach_alpha(scores)) and math.isnan(kr20(scores))
    assert histogram(totals, 3, 3)[0].tolist() == [0, 0, 1]


def test_zero_variance_item(no_warnings):
    scores = SCORES.copy()
    scores[:, 1] = 1.0                                     # everybody gets item 1 right
    totals = scores.sum(axis=1)
    r = point_biserial(scores, totals)
    assert math.isnan(r[1]) and not np.any(np.isnan(r[[0, 2, 3]]))
    assert math.isnan(point_biserial(scores, totals, corrected=False)[1])
    # a constant item adds 0 to sum var(items) and to var(totals): alpha is finite, and
    # only k/(k-1) changes: alpha_4 = 4/3 (1 - s), alpha_3 = 3/2 (1 - s), so alpha_4 = 8/9 alpha_3
    rest = scores[:, [0, 2, 3]]
    assert cronbach_alpha(scores) == pytest.approx(8 / 9 * cronbach_alpha(rest), abs=1e-12)
    assert discrimination_index(scores, MAXP, totals)[1] == 0
    assert difficulty(scores, MAXP)[1] == 1


def test_one_item_and_bad_input():
    assert math.isnan(cronbach_alpha([[1.0], [0.0]]))
    with pytest.raises(ValueError):
        difficulty([[3.0]], [2.0])                         # score above its maximum
    with pytest.raises(ValueError):
        discrimination_index(SCORES, MAXP, TOTALS[:-1])
    with pytest.raises(ValueError):
        histogram([6.0], 5, 5)
    with pytest.raises(ValueError):
        point_biserial([1.0, 2.0], [1.0, 2.0])             # not a matrix
