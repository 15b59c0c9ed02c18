"""word2vec (Mikolov et al., 2013): one-hot encoding, skip-gram pairs, CBOW and
skip-gram with a full softmax, skip-gram with negative sampling, cosine similarity.

Convention (the course's, after Mikolov; stated in every question that uses it):

* ``V`` words in the vocabulary, embedding size ``N``.
* ``W_in`` of shape ``(V, N)``: row ``w`` is word ``w``'s **input** vector ``v_w``
  (the "embedding" one reads off after training; ``W_in^T x`` for a one-hot
  ``x`` picks out ``v_w``).
* ``W_out`` of shape ``(V, N)``: row ``w`` is word ``w``'s **output** vector ``u_w``.
  The scores of all words are ``z = W_out h`` (shape ``(V,)``), ``z_w = u_w . h``.
* Skip-gram: ``h = v_c`` for the centre word ``c``;
  ``p(o | c) = exp(u_o . v_c) / sum_w exp(u_w . v_c)``.
* CBOW: ``h = (1/C) sum_{j in context} v_j`` (the mean of the ``C`` context input
  vectors; a word repeated in the context counts each time);
  ``p(w | context) = softmax(W_out h)_w``.
* Losses are ``-log p`` (natural log).  Negative sampling with GIVEN negatives
  ``k_1..k_K``: ``L = -log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c)``.

Words are referred to by their integer index in the vocabulary; the vocabulary
is built in first-appearance order (:func:`build_vocabulary`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reference_impl._checks import as_array, check_positive_int, check_shape
from reference_impl.activations import log_sigmoid, log_softmax, sigmoid, softmax

__all__ = [
    "tokenize",
    "build_vocabulary",
    "one_hot",
    "one_hot_vocabulary",
    "skipgram_pairs",
    "cbow_hidden",
    "cbow_forward",
    "cbow_backward",
    "skipgram_softmax_forward",
    "skipgram_softmax_backward",
    "negative_sampling_forward",
    "negative_sampling_backward",
    "cosine_similarity",
    "nearest_neighbours",
]


# --------------------------------------------------------------------------- text

def tokenize(tokens) -> list:
    """A string is split on whitespace (case kept); any other sequence is returned as a list.

    Case is kept on purpose: "The" and "the" are different tokens unless the
    caller lower-cases the text first.
    """
    if isinstance(tokens, str):
        return tokens.split()
    if not isinstance(tokens, Sequence) and not isinstance(tokens, np.ndarray):
        raise ValueError(f"tokens must be a string or a sequence of tokens, got {tokens!r}")
    return list(tokens)


def build_vocabulary(tokens) -> tuple[list, dict]:
    """Vocabulary in first-appearance order.

    Returns ``(vocab, word_to_index)``: ``vocab[i]`` is the i-th distinct token
    in order of first appearance and ``word_to_index[vocab[i]] == i``.
    """
    vocab: list = []
    index: dict = {}
    for tok in tokenize(tokens):
        if tok not in index:
            index[tok] = len(vocab)
            vocab.append(tok)
    return vocab, index


def one_hot(index, V) -> np.ndarray:
    """The one-hot vector of length ``V`` with a 1 at position ``index`` (0-based)."""
    V = check_positive_int(V, "V")
    if isinstance(index, bool) or int(index) != index or not 0 <= index < V:
        raise ValueError(f"index must be an integer in [0, V) = [0, {V}), got {index!r}")
    x = np.zeros(V, dtype=np.float64)
    x[int(index)] = 1.0
    return x


def one_hot_vocabulary(tokens) -> tuple[list, dict]:
    """Vocabulary in first-appearance order and each word's one-hot vector.

    ``"I am doing good"`` -> ``(["I", "am", "doing", "good"],
    {"I": [1,0,0,0], "am": [0,1,0,0], "doing": [0,0,1,0], "good": [0,0,0,1]})``.

    Returns ``(vocab, encoding)`` with ``encoding[word]`` a float64 array of shape ``(V,)``.
    """
    vocab, index = build_vocabulary(tokens)
    if not vocab:
        raise ValueError("tokens must contain at least one token")
    V = len(vocab)
    return vocab, {w: one_hot(i, V) for w, i in index.items()}


def skipgram_pairs(tokens, window) -> list[tuple]:
    """The (centre, context) training pairs of skip-gram with a window of ``window`` words.

    For each position ``t`` in sentence order, the context words are those at
    positions ``t-window .. t+window`` except ``t`` itself, clipped at the ends
    of the sentence, listed left to right.  Pairs hold the tokens themselves
    (repeated tokens give repeated pairs; a word is never its own context unless
    it occurs twice within the window).
    """
    toks = tokenize(tokens)
    window = check_positive_int(window, "window")
    T = len(toks)
    pairs = []
    for t, centre in enumerate(toks):
        for j in range(max(0, t - window), min(T, t + window + 1)):
            if j != t:
                pairs.append((centre, toks[j]))
    return pairs


# --------------------------------------------------------------------------- helpers

def _check_embeddings(W_in, W_out=None):
    W_in = as_array(W_in, "W_in", ndim=2)
    V, N = W_in.shape
    if V < 1 or N < 1:
        raise ValueError(f"W_in must have shape (V, N) with V, N >= 1, got {W_in.shape}")
    if W_out is None:
        return W_in, None
    W_out = as_array(W_out, "W_out")
    check_shape(W_out, "W_out", (V, N), "(V, N)")
    return W_in, W_out


def _check_index(i, V, name):
    if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)) or not 0 <= i < V:
        raise ValueError(f"{name} must be a word index in [0, V) = [0, {V}), got {i!r}")
    return int(i)


def _check_indices(idx, V, name, allow_empty=False):
    if isinstance(idx, (int, np.integer)) and not isinstance(idx, (bool, np.bool_)):
        idx = [idx]
    arr = np.asarray(idx)
    if arr.ndim != 1 or (arr.size == 0 and not allow_empty):
        raise ValueError(f"{name} must be a non-empty 1-D sequence of word indices, got {idx!r}")
    return np.array([_check_index(i, V, name) for i in arr.tolist()], dtype=np.int64)


# --------------------------------------------------------------------------- CBOW

def cbow_hidden(context_indices, W_in) -> np.ndarray:
    """CBOW hidden layer ``h = (1/C) sum_j v_j``: the mean of the context input vectors.

    ``context_indices``: C word indices (a repeated index counts each time);
    ``W_in``: (V, N).  Returns ``h`` of shape (N,).
    """
    W_in, _ = _check_embeddings(W_in)
    ctx = _check_indices(context_indices, W_in.shape[0], "context_indices")
    return W_in[ctx].mean(axis=0)


def cbow_forward(context_indices, target, W_in, W_out):
    """CBOW with a full softmax: ``L = -log p(target | context)``.

    ``h = mean_j v_j`` (N,), ``z = W_out h`` (V,), ``y_hat = softmax(z)`` (V,),
    ``L = -log y_hat[target]``.

    Returns ``(loss, cache)``; ``cache`` holds ``context_indices, target, h, z,
    y_hat, loss, W_in, W_out``.
    """
    W_in, W_out = _check_embeddings(W_in, W_out)
    V = W_in.shape[0]
    ctx = _check_indices(context_indices, V, "context_indices")
    target = _check_index(target, V, "target")
    h = W_in[ctx].mean(axis=0)
    z = W_out @ h
    y_hat = softmax(z)
    loss = float(-log_softmax(z)[target])  # log_softmax: exact even when y_hat underflows
    cache = {"context_indices": ctx, "target": target, "h": h, "z": z, "y_hat": y_hat,
             "loss": loss, "W_in": W_in, "W_out": W_out}
    return loss, cache


def cbow_backward(cache, dloss=1.0) -> dict:
    """Gradients of ``dloss * L`` for :func:`cbow_forward`.

    ``dz = y_hat - one_hot(target)``, ``dW_out = dz h^T`` (V, N), ``dh = W_out^T dz``,
    and each context row of ``W_in`` receives ``dh / C`` (accumulated for repeats).
    Returns keys ``W_in``, ``W_out``, ``h``, ``z``.
    """
    dloss = float(dloss)
    W_in, W_out, h = cache["W_in"], cache["W_out"], cache["h"]
    ctx = cache["context_indices"]
    dz = cache["y_hat"].copy()
    dz[cache["target"]] -= 1.0
    dz *= dloss
    dW_out = np.outer(dz, h)
    dh = W_out.T @ dz
    dW_in = np.zeros_like(W_in)
    np.add.at(dW_in, ctx, dh / ctx.size)
    return {"W_in": dW_in, "W_out": dW_out, "h": dh, "z": dz}


# --------------------------------------------------------------------------- skip-gram, softmax

def skipgram_softmax_forward(center, context, W_in, W_out):
    """Skip-gram with a full softmax: ``L = -log p(o | c)``.

    ``v_c = W_in[c]`` (N,), ``z = W_out v_c`` (V,) so ``z_w = u_w . v_c``,
    ``y_hat = softmax(z)``, ``p(o | c) = y_hat[o]``.

    ``context`` is one word index ``o``, or a sequence of them (a whole window),
    in which case ``L = sum_o -log p(o | c)`` (each occurrence counts).

    Returns ``(loss, cache)``; ``cache`` holds ``center, context (array), v_c, z,
    y_hat, loss, W_in, W_out``.
    """
    W_in, W_out = _check_embeddings(W_in, W_out)
    V = W_in.shape[0]
    c = _check_index(center, V, "center")
    ctx = _check_indices(context, V, "context")
    v_c = W_in[c].copy()
    z = W_out @ v_c
    y_hat = softmax(z)
    loss = float(-np.sum(log_softmax(z)[ctx]))
    cache = {"center": c, "context": ctx, "v_c": v_c, "z": z, "y_hat": y_hat,
             "loss": loss, "W_in": W_in, "W_out": W_out}
    return loss, cache


def skipgram_softmax_backward(cache, dloss=1.0) -> dict:
    """Gradients of ``dloss * L`` for :func:`skipgram_softmax_forward`.

    With C context words: ``dz = C y_hat - sum_o one_hot(o)`` (for one word,
    ``y_hat - one_hot(o)``), ``dW_out = dz v_c^T``, ``dv_c = W_out^T dz`` (only row
    ``c`` of ``dW_in`` is non-zero).  Returns keys ``W_in``, ``W_out``, ``v_c``, ``z``.
    """
    dloss = float(dloss)
    W_in, W_out, v_c = cache["W_in"], cache["W_out"], cache["v_c"]
    ctx = cache["context"]
    dz = ctx.size * cache["y_hat"]
    np.add.at(dz, ctx, -1.0)
    dz *= dloss
    dW_out = np.outer(dz, v_c)
    dv_c = W_out.T @ dz
    dW_in = np.zeros_like(W_in)
    dW_in[cache["center"]] = dv_c
    return {"W_in": dW_in, "W_out": dW_out, "v_c": dv_c, "z": dz}


# --------------------------------------------------------------------------- negative sampling

def negative_sampling_forward(center, context, negatives, W_in, W_out):
    """Skip-gram with negative sampling, the negatives GIVEN (no sampling here).

    ``L = -log sigma(u_o . v_c) - sum_{k=1..K} log sigma(-u_k . v_c)``.

    ``center`` c, ``context`` o: word indices; ``negatives``: K word indices
    (repeats allowed, each occurrence is a separate term).

    Returns ``(loss, cache)``; ``cache`` holds ``center, context, negatives,
    v_c (N,), u_o (N,), u_neg (K, N), s_pos = u_o . v_c, s_neg (K,) = u_k . v_c,
    sigma_pos = sigma(s_pos), sigma_neg (K,) = sigma(-s_neg), loss, W_in, W_out``.
    """
    W_in, W_out = _check_embeddings(W_in, W_out)
    V = W_in.shape[0]
    c = _check_index(center, V, "center")
    o = _check_index(context, V, "context")
    neg = _check_indices(negatives, V, "negatives")
    v_c = W_in[c].copy()
    u_o = W_out[o].copy()
    u_neg = W_out[neg].copy()
    s_pos = float(u_o @ v_c)
    s_neg = u_neg @ v_c
    # log sigma via softplus: no log(0) for large scores.
    loss = float(-log_sigmoid(s_pos) - np.sum(log_sigmoid(-s_neg)))
    cache = {"center": c, "context": o, "negatives": neg, "v_c": v_c, "u_o": u_o,
             "u_neg": u_neg, "s_pos": s_pos, "s_neg": s_neg,
             "sigma_pos": float(sigmoid(s_pos)), "sigma_neg": sigmoid(-s_neg),
             "loss": loss, "W_in": W_in, "W_out": W_out}
    return loss, cache


def negative_sampling_backward(cache, dloss=1.0) -> dict:
    """Gradients of ``dloss * L`` for :func:`negative_sampling_forward`.

    ``dL/ds_pos = sigma(s_pos) - 1``, ``dL/ds_k = sigma(s_k)``;
    ``dv_c = (sigma(s_pos) - 1) u_o + sum_k sigma(s_k) u_k``,
    ``du_o = (sigma(s_pos) - 1) v_c``, ``du_k = sigma(s_k) v_c`` (one row per
    occurrence in ``negatives``).  ``W_in`` / ``W_out`` are the full (V, N)
    gradients: rows accumulate, so a negative drawn twice, or equal to the
    context word, receives the sum of its terms.
    Returns keys ``W_in``, ``W_out``, ``v_c``, ``u_o``, ``u_neg``.
    """
    dloss = float(dloss)
    v_c, u_o, u_neg = cache["v_c"], cache["u_o"], cache["u_neg"]
    ds_pos = dloss * (sigmoid(cache["s_pos"]) - 1.0)
    ds_neg = dloss * sigmoid(cache["s_neg"])
    dv_c = ds_pos * u_o + ds_neg @ u_neg
    du_o = ds_pos * v_c
    du_neg = np.outer(ds_neg, v_c)
    dW_in = np.zeros_like(cache["W_in"])
    dW_in[cache["center"]] = dv_c
    dW_out = np.zeros_like(cache["W_out"])
    dW_out[cache["context"]] += du_o
    np.add.at(dW_out, cache["negatives"], du_neg)
    return {"W_in": dW_in, "W_out": dW_out, "v_c": dv_c, "u_o": du_o, "u_neg": du_neg}


# --------------------------------------------------------------------------- similarity

def cosine_similarity(a, b) -> np.ndarray | float:
    """``cos(a, b) = a . b / (||a|| ||b||)`` along the last axis (broadcasting).

    Two vectors give a float; a vector against an (M, N) matrix gives M values.
    A zero vector has no direction: ValueError.
    """
    a = as_array(a, "a")
    b = as_array(b, "b")
    if a.ndim == 0 or b.ndim == 0 or a.shape[-1] != b.shape[-1]:
        raise ValueError(f"a and b must be vectors of the same length N, got shapes {a.shape} and {b.shape}")
    na = np.linalg.norm(a, axis=-1)
    nb = np.linalg.norm(b, axis=-1)
    if np.any(na == 0) or np.any(nb == 0):
        raise ValueError("cosine similarity of a zero vector is undefined")
    out = np.sum(a * b, axis=-1) / (na * nb)
    return float(out) if np.ndim(out) == 0 else out


def nearest_neighbours(query, embeddings, vocab, k=1, exclude_self=True) -> list[tuple]:
    """The ``k`` words whose embeddings have the highest cosine similarity to ``query``.

    ``query``: a word of ``vocab`` or a vector of length N; ``embeddings``: (V, N),
    row i for ``vocab[i]``.  With ``exclude_self`` and a word query, the word itself
    is left out (it is trivially its own nearest neighbour); a vector query
    excludes nothing.  Returns ``[(word, similarity), ...]``, most similar first;
    ties keep vocabulary order.
    """
    E = as_array(embeddings, "embeddings", ndim=2)
    vocab = list(vocab)
    if len(vocab) != E.shape[0]:
        raise ValueError(f"vocab must have V = {E.shape[0]} words (one per row of embeddings), got {len(vocab)}")
    if len(set(vocab)) != len(vocab):
        raise ValueError("vocab must not contain duplicate words")
    k = check_positive_int(k, "k")
    self_index = None
    if isinstance(query, str):
        if query not in vocab:
            raise ValueError(f"query word {query!r} is not in vocab")
        self_index = vocab.index(query)
        q = E[self_index]
    else:
        q = as_array(query, "query", ndim=1)
        check_shape(q, "query", (E.shape[1],), "(N,)")
    sims = np.asarray(cosine_similarity(q, E), dtype=np.float64).reshape(-1)
    candidates = [i for i in range(len(vocab)) if not (exclude_self and i == self_index)]
    if k > len(candidates):
        raise ValueError(f"k must be at most {len(candidates)}, got {k}")
    order = sorted(candidates, key=lambda i: (-sims[i], i))
    return [(vocab[i], float(sims[i])) for i in order[:k]]
