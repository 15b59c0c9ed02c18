"""word2vec: hand-listed and brute-force skip-gram pairs, torch autograd for every
loss and gradient, finite differences, scipy/torch cosine similarity."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl import word2vec as w2v
from tests.numerics import check_gradients, grad_of, to_torch


# --------------------------------------------------------------------------- one-hot, vocabulary

def test_one_hot_vocabulary_notes_example():
    vocab, enc = w2v.one_hot_vocabulary("I am doing good")
    assert vocab == ["I", "am", "doing", "good"]
    assert enc["I"].tolist() == [1, 0, 0, 0]
    assert enc["am"].tolist() == [0, 1, 0, 0]
    assert enc["doing"].tolist() == [0, 0, 1, 0]
    assert enc["good"].tolist() == [0, 0, 0, 1]
    assert all(v.dtype == np.float64 for v in enc.values())


def test_vocabulary_first_appearance_order_and_repeats():
    vocab, index = w2v.build_vocabulary(["b", "a", "b", "c", "a"])
    assert vocab == ["b", "a", "c"]
    assert index == {"b": 0, "a": 1, "c": 2}
    np.testing.assert_array_equal(w2v.one_hot(2, 5), [0, 0, 1, 0, 0])


def test_one_hot_rejects_out_of_range():
    with pytest.raises(ValueError, match="index"):
        w2v.one_hot(4, 4)
    with pytest.raises(ValueError, match="V"):
        w2v.one_hot(0, 0)


# --------------------------------------------------------------------------- skip-gram pairs

def test_skipgram_pairs_notes_sentence_window_1():
    got = w2v.skipgram_pairs("The cat sat on the mat", window=1)
    expected = [
        ("The", "cat"),
        ("cat", "The"), ("cat", "sat"),
        ("sat", "cat"), ("sat", "on"),
        ("on", "sat"), ("on", "the"),
        ("the", "on"), ("the", "mat"),
        ("mat", "the"),
    ]
    assert got == expected


def test_skipgram_pairs_notes_sentence_window_2():
    got = w2v.skipgram_pairs("The cat sat on the mat", window=2)
    expected = [
        ("The", "cat"), ("The", "sat"),
        ("cat", "The"), ("cat", "sat"), ("cat", "on"),
        ("sat", "The"), ("sat", "cat"), ("sat", "on"), ("sat", "the"),
        ("on", "cat"), ("on", "sat"), ("on", "the"), ("on", "mat"),
        ("the", "sat"), ("the", "on"), ("the", "mat"),
        ("mat", "on"), ("mat", "the"),
    ]
    assert got == expected
    assert len(got) == 18


def _brute_force_pairs(tokens, window):
    """Independent enumeration: every ordered position pair, filtered by distance."""
    pairs = []
    for t, j in itertools.product(range(len(tokens)), repeat=2):
        if 0 < abs(t - j) <= window:
            pairs.append((t, j))
    # sentence order of the centre, then left-to-right context: sort by (t, j)
    pairs.sort()
    return [(tokens[t], tokens[j]) for t, j in pairs]


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=0, max_size=12),
       st.integers(1, 6))
@settings(max_examples=60, deadline=None)
def test_skipgram_pairs_match_brute_force(tokens, window):
    assert w2v.skipgram_pairs(tokens, window) == _brute_force_pairs(tokens, window)


def test_skipgram_pairs_count_closed_form():
    # T tokens, window m < T: 2 * sum_{d=1..m} (T - d) pairs.
    tokens = "The cat sat on the mat".split()
    for m in range(1, 6):
        assert len(w2v.skipgram_pairs(tokens, m)) == 2 * sum(6 - d for d in range(1, m + 1))
    with pytest.raises(ValueError, match="window"):
        w2v.skipgram_pairs(tokens, 0)


# --------------------------------------------------------------------------- helpers for oracles

def _random_setup(rng, V, N, scale=0.7):
    return rng.normal(scale=scale, size=(V, N)), rng.normal(scale=scale, size=(V, N))


def _shapes(rng, n=6):
    return [(int(rng.integers(2, 12)), int(rng.integers(1, 8))) for _ in range(n)]


def _assert_close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


# --------------------------------------------------------------------------- CBOW

@pytest.mark.oracle
def test_cbow_matches_torch(torch, rng):
    F = torch.nn.functional
    for V, N in _shapes(rng):
        W_in, W_out = _random_setup(rng, V, N)
        C = int(rng.integers(1, 6))
        ctx = rng.integers(0, V, size=C)  # repeats allowed
        target = int(rng.integers(0, V))
        loss, cache = w2v.cbow_forward(ctx, target, W_in, W_out)
        grads = w2v.cbow_backward(cache)

        ti, to = to_torch(torch, W_in, True), to_torch(torch, W_out, True)
        # one-hot formulation: h = W_in^T (mean of context one-hots)
        X = torch.zeros(C, V, dtype=torch.float64)
        X[torch.arange(C), torch.as_tensor(ctx)] = 1.0
        h = ti.T @ X.mean(dim=0)
        z = to @ h
        tl = F.cross_entropy(z.unsqueeze(0), torch.tensor([target]))
        tl.backward()
        assert loss == pytest.approx(tl.item(), rel=1e-10, abs=1e-10)
        _assert_close(cache["h"], h.detach().numpy())
        _assert_close(w2v.cbow_hidden(ctx, W_in), h.detach().numpy())
        _assert_close(cache["y_hat"], torch.softmax(z, 0).detach().numpy())
        _assert_close(grads["W_in"], grad_of(ti))
        _assert_close(grads["W_out"], grad_of(to))


def test_cbow_finite_differences(rng):
    W_in, W_out = _random_setup(rng, 7, 4)
    ctx, target = [1, 3, 3, 6], 2
    _, cache = w2v.cbow_forward(ctx, target, W_in, W_out)
    grads = w2v.cbow_backward(cache)
    check_gradients(lambda: w2v.cbow_forward(ctx, target, W_in, W_out)[0],
                    {"W_in": W_in, "W_out": W_out}, grads)


def test_cbow_hidden_is_mean_closed_form():
    W_in = np.arange(12, dtype=float).reshape(4, 3)
    np.testing.assert_array_equal(w2v.cbow_hidden([0, 2], W_in), [3.0, 4.0, 5.0])
    np.testing.assert_array_equal(w2v.cbow_hidden([1, 1, 3], W_in), [(3 + 3 + 9) / 3, (4 + 4 + 10) / 3, (5 + 5 + 11) / 3])


# --------------------------------------------------------------------------- skip-gram softmax

@pytest.mark.oracle
def test_skipgram_softmax_matches_torch(torch, rng):
    F = torch.nn.functional
    for V, N in _shapes(rng):
        W_in, W_out = _random_setup(rng, V, N, scale=1.5)
        c = int(rng.integers(0, V))
        # a single context word, then a whole window (list)
        for context in (int(rng.integers(0, V)), rng.integers(0, V, size=int(rng.integers(1, 5)))):
            loss, cache = w2v.skipgram_softmax_forward(c, context, W_in, W_out)
            grads = w2v.skipgram_softmax_backward(cache)
            ti, to = to_torch(torch, W_in, True), to_torch(torch, W_out, True)
            v_c = ti.T @ to_torch(torch, np.eye(V)[c])
            z = to @ v_c
            tgt = torch.as_tensor(np.atleast_1d(context))
            tl = F.cross_entropy(z.unsqueeze(0).expand(len(tgt), V), tgt, reduction="sum")
            tl.backward()
            assert loss == pytest.approx(tl.item(), rel=1e-10, abs=1e-10)
            _assert_close(cache["y_hat"], torch.softmax(z, 0).detach().numpy())
            _assert_close(grads["W_in"], grad_of(ti))
            _assert_close(grads["W_out"], grad_of(to))
            _assert_close(grads["v_c"], grad_of(ti)[c])


def test_skipgram_softmax_probability_closed_form(rng):
    # p(o | c) = exp(u_o . v_c) / sum_w exp(u_w . v_c), written out term by term
    W_in, W_out = _random_setup(rng, 5, 3)
    c, o = 1, 4
    num = np.exp(sum(W_out[o, j] * W_in[c, j] for j in range(3)))
    den = sum(np.exp(sum(W_out[w, j] * W_in[c, j] for j in range(3))) for w in range(5))
    loss, cache = w2v.skipgram_softmax_forward(c, o, W_in, W_out)
    assert cache["y_hat"][o] == pytest.approx(num / den, rel=1e-12)
    assert loss == pytest.approx(-np.log(num / den), rel=1e-12)


def test_skipgram_softmax_finite_differences(rng):
    W_in, W_out = _random_setup(rng, 6, 3)
    for context in (2, [0, 2, 2, 5]):
        _, cache = w2v.skipgram_softmax_forward(4, context, W_in, W_out)
        grads = w2v.skipgram_softmax_backward(cache)
        check_gradients(lambda: w2v.skipgram_softmax_forward(4, context, W_in, W_out)[0],
                        {"W_in": W_in, "W_out": W_out}, grads)


# --------------------------------------------------------------------------- negative sampling

def _torch_neg_sampling(torch, c, o, neg, W_in, W_out):
    F = torch.nn.functional
    ti, to = to_torch(torch, W_in, True), to_torch(torch, W_out, True)
    v_c = ti[c]
    s_pos = to[o] @ v_c
    s_neg = to[torch.as_tensor(neg)] @ v_c
    # BCE with logits: label 1 for the true context, 0 for each negative
    loss = (F.binary_cross_entropy_with_logits(s_pos, torch.tensor(1.0, dtype=torch.float64))
            + F.binary_cross_entropy_with_logits(s_neg, torch.zeros_like(s_neg), reduction="sum"))
    loss.backward()
    return loss.item(), grad_of(ti), grad_of(to)


@pytest.mark.oracle
def test_negative_sampling_matches_torch(torch, rng):
    for V, N in _shapes(rng, 8):
        W_in, W_out = _random_setup(rng, V, N, scale=2.0)
        c, o = int(rng.integers(0, V)), int(rng.integers(0, V))
        neg = rng.integers(0, V, size=int(rng.integers(1, 6)))
        loss, cache = w2v.negative_sampling_forward(c, o, neg, W_in, W_out)
        grads = w2v.negative_sampling_backward(cache)
        tl, gi, go = _torch_neg_sampling(torch, c, o, neg, W_in, W_out)
        assert loss == pytest.approx(tl, rel=1e-10, abs=1e-10)
        _assert_close(grads["W_in"], gi)
        _assert_close(grads["W_out"], go)


@pytest.mark.oracle
def test_negative_sampling_per_vector_gradients_match_torch(torch, rng):
    # gradients w.r.t. v_c, u_o and each u_k as separate leaves
    F = torch.nn.functional
    N, K = 5, 4
    v_c, u_o, u_neg = rng.normal(size=N), rng.normal(size=N), rng.normal(size=(K, N))
    W_in = np.vstack([v_c, np.zeros((K, N))])
    W_out = np.vstack([u_o, u_neg])
    loss, cache = w2v.negative_sampling_forward(0, 0, [1, 2, 3, 4], W_in, W_out)
    grads = w2v.negative_sampling_backward(cache)
    tv, tu, tk = (to_torch(torch, a, True) for a in (v_c, u_o, u_neg))
    tl = -F.logsigmoid(tu @ tv) - F.logsigmoid(-(tk @ tv)).sum()
    tl.backward()
    assert loss == pytest.approx(tl.item(), rel=1e-12)
    _assert_close(grads["v_c"], grad_of(tv))
    _assert_close(grads["u_o"], grad_of(tu))
    _assert_close(grads["u_neg"], grad_of(tk))


def test_negative_sampling_repeated_negative_accumulates(rng):
    W_in, W_out = _random_setup(rng, 5, 3)
    _, cache = w2v.negative_sampling_forward(0, 1, [3, 3, 2], W_in, W_out)
    g = w2v.negative_sampling_backward(cache)
    # closed form: each occurrence of word 3 contributes sigma(u_3 . v_c) v_c
    s3 = W_out[3] @ W_in[0]
    np.testing.assert_allclose(g["W_out"][3], 2 / (1 + np.exp(-s3)) * W_in[0], rtol=1e-12)
    np.testing.assert_allclose(g["u_neg"][0], g["u_neg"][1], rtol=0, atol=0)
    check_gradients(lambda: w2v.negative_sampling_forward(0, 1, [3, 3, 2], W_in, W_out)[0],
                    {"W_in": W_in, "W_out": W_out}, g)
    # a negative equal to the context word (and the centre word's own row) also accumulates
    _, cache = w2v.negative_sampling_forward(1, 1, [1, 4], W_in, W_out)
    g = w2v.negative_sampling_backward(cache)
    check_gradients(lambda: w2v.negative_sampling_forward(1, 1, [1, 4], W_in, W_out)[0],
                    {"W_in": W_in, "W_out": W_out}, g)


def test_negative_sampling_stable_for_large_scores():
    W_in = np.array([[50.0, 0.0], [0.0, 1.0]])
    W_out = np.array([[-50.0, 0.0], [50.0, 0.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss, cache = w2v.negative_sampling_forward(0, 0, [1], W_in, W_out)
        g = w2v.negative_sampling_backward(cache)
    # s_pos = -2500, s_neg = 2500: L = softplus(2500) + softplus(2500) = 5000 (to rounding)
    assert loss == pytest.approx(5000.0, rel=1e-12)
    assert np.all(np.isfinite(g["W_in"]))


# --------------------------------------------------------------------------- cosine similarity

NOTES_TABLE = {"apple": (0.9, 0.01, 0.9), "mango": (0.85, 0.04, 0.92), "elephant": (0.1, 0.9, 0.01)}


def test_notes_table_mango_is_apples_nearest_neighbour():
    vocab = list(NOTES_TABLE)
    E = np.array([NOTES_TABLE[w] for w in vocab])
    nn = w2v.nearest_neighbours("apple", E, vocab, k=1)
    assert nn[0][0] == "mango"
    nn2 = w2v.nearest_neighbours("apple", E, vocab, k=2)
    assert [w for w, _ in nn2] == ["mango", "elephant"]
    assert nn2[0][1] > 0.99 > 0.2 > nn2[1][1]
    with_self = w2v.nearest_neighbours("apple", E, vocab, k=3, exclude_self=False)
    assert with_self[0] == ("apple", pytest.approx(1.0, rel=1e-15))
    assert w2v.nearest_neighbours("elephant", E, vocab, k=1)[0][0] in ("apple", "mango")
    # a vector query: close to elephant's direction
    assert w2v.nearest_neighbours(np.array([0.0, 1.0, 0.0]), E, vocab)[0][0] == "elephant"


@pytest.mark.oracle
def test_notes_table_cosines_match_torch_and_scipy(torch):
    from scipy.spatial.distance import cosine as scipy_cosine_distance

    F = torch.nn.functional
    for a, b in itertools.combinations(NOTES_TABLE, 2):
        va, vb = np.array(NOTES_TABLE[a]), np.array(NOTES_TABLE[b])
        ours = w2v.cosine_similarity(va, vb)
        assert ours == pytest.approx(1 - scipy_cosine_distance(va, vb), rel=1e-12)
        assert ours == pytest.approx(
            F.cosine_similarity(to_torch(torch, va), to_torch(torch, vb), dim=0).item(), rel=1e-12)


@pytest.mark.oracle
def test_nearest_neighbours_match_scipy_ranking(rng):
    from scipy.spatial.distance import cdist

    for _ in range(10):
        V, N = int(rng.integers(3, 15)), int(rng.integers(2, 6))
        E = rng.normal(size=(V, N))
        vocab = [f"w{i}" for i in range(V)]
        q = int(rng.integers(0, V))
        k = int(rng.integers(1, V))
        sims = 1 - cdist(E[q:q + 1], E, metric="cosine")[0]
        order = [i for i in np.argsort(-sims, kind="stable") if i != q][:k]
        got = w2v.nearest_neighbours(vocab[q], E, vocab, k=k)
        assert [w for w, _ in got] == [vocab[i] for i in order]
        np.testing.assert_allclose([s for _, s in got], sims[order], rtol=1e-12, atol=1e-12)


@pytest.mark.oracle
@given(st.integers(1, 6), st.integers(1, 8), st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_cosine_similarity_batch_matches_torch(torch, M, N, seed):
    r = np.random.default_rng(seed)
    a, B = r.normal(size=N), r.normal(size=(M, N))
    ours = w2v.cosine_similarity(a, B)
    ref = torch.nn.functional.cosine_similarity(
        to_torch(torch, a).unsqueeze(0), to_torch(torch, B), dim=1).numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)
    assert np.all(np.abs(ours) <= 1 + 1e-12)


def test_cosine_of_zero_vector_raises():
    with pytest.raises(ValueError, match="zero"):
        w2v.cosine_similarity([0.0, 0.0], [1.0, 2.0])


# --------------------------------------------------------------------------- hypothesis, shapes

@given(st.integers(2, 10), st.integers(1, 6), st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_skipgram_loss_properties(V, N, seed):
    r = np.random.default_rng(seed)
    W_in, W_out = r.normal(size=(V, N)), r.normal(size=(V, N))
    c, o = int(r.integers(0, V)), int(r.integers(0, V))
    loss, cache = w2v.skipgram_softmax_forward(c, o, W_in, W_out)
    assert loss >= 0
    assert cache["y_hat"].sum() == pytest.approx(1.0, rel=1e-12)
    g = w2v.skipgram_softmax_backward(cache)
    # only the centre row of W_in receives gradient; dz sums to zero (softmax)
    assert np.count_nonzero(np.delete(g["W_in"], c, axis=0)) == 0
    assert g["z"].sum() == pytest.approx(0.0, abs=1e-12)
    # zero output vectors: p is uniform, L = log V
    loss0, _ = w2v.skipgram_softmax_forward(c, o, W_in, np.zeros((V, N)))
    assert loss0 == pytest.approx(np.log(V), rel=1e-12)
    # zero vectors in negative sampling: every sigma is 1/2, L = (K+1) log 2
    K = int(r.integers(1, 5))
    lossn, _ = w2v.negative_sampling_forward(c, o, r.integers(0, V, size=K), np.zeros((V, N)), W_out)
    assert lossn == pytest.approx((K + 1) * np.log(2), rel=1e-12)


def test_wrong_shapes_raise_naming_argument(rng):
    W_in = rng.normal(size=(5, 3))
    with pytest.raises(ValueError, match=r"W_out must have shape \(V, N\)"):
        w2v.skipgram_softmax_forward(0, 1, W_in, rng.normal(size=(5, 4)))
    with pytest.raises(ValueError, match="W_out"):
        w2v.cbow_forward([0], 1, W_in, rng.normal(size=(3, 5)))
    with pytest.raises(ValueError, match="W_in"):
        w2v.cbow_hidden([0], rng.normal(size=5))
    with pytest.raises(ValueError, match="center"):
        w2v.skipgram_softmax_forward(5, 1, W_in, W_in)
    with pytest.raises(ValueError, match="negatives"):
        w2v.negative_sampling_forward(0, 1, [], W_in, W_in)
    with pytest.raises(ValueError, match="context_indices"):
        w2v.cbow_forward([0, 9], 1, W_in, W_in)
    with pytest.raises(ValueError, match="query"):
        w2v.nearest_neighbours(np.ones(4), W_in, list("abcde"))
    with pytest.raises(ValueError, match="vocab"):
        w2v.nearest_neighbours("a", W_in, list("abcd"))
