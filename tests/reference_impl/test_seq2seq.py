"""seq2seq: teacher-forced loss and gradients against torch (nn.RNN + embedding +
cross_entropy, float64 autograd), finite differences, greedy decoding against a torch loop."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl import seq2seq as s2s
from tests.numerics import check_gradients, grad_of, to_torch

ACTS = ("tanh", "relu")
TOL = dict(rtol=1e-10, atol=1e-10)


def draw(rng, T, D, H, V, D_dec, T_dec, one_hot=False):
    enc = {"W_xh": rng.normal(scale=0.8, size=(H, D)), "W_hh": rng.normal(scale=0.8, size=(H, H)),
           "b_h": rng.normal(size=H)}
    dec = {"E": np.eye(V) if one_hot else rng.normal(size=(V, D_dec)),
           "W_xh": rng.normal(scale=0.8, size=(H, V if one_hot else D_dec)),
           "W_hh": rng.normal(scale=0.8, size=(H, H)), "b_h": rng.normal(size=H),
           "W_hy": rng.normal(size=(V, H)), "b_y": rng.normal(size=V)}
    x = rng.normal(size=(T, D))
    tin = rng.integers(0, V, size=T_dec)
    tout = rng.integers(0, V, size=T_dec)
    return x, tin, tout, enc, dec


def rnn_module(torch, W_xh, W_hh, b_h, act, requires_grad=True):
    H, D = W_xh.shape
    m = torch.nn.RNN(D, H, nonlinearity=act, dtype=torch.float64)
    with torch.no_grad():
        m.weight_ih_l0.copy_(to_torch(torch, W_xh))
        m.weight_hh_l0.copy_(to_torch(torch, W_hh))
        m.bias_ih_l0.copy_(to_torch(torch, b_h))
        m.bias_hh_l0.zero_()
    m.bias_hh_l0.requires_grad_(False)
    return m


def torch_seq2seq(torch, x, tin, tout, enc, dec, h0, enc_act, dec_act):
    """Encoder nn.RNN -> context = last state -> decoder nn.RNN from it, inputs
    F.embedding(tokens_in, E), logits by nn.Linear, summed F.cross_entropy."""
    F = torch.nn.functional
    em = rnn_module(torch, enc["W_xh"], enc["W_hh"], enc["b_h"], enc_act)
    dm = rnn_module(torch, dec["W_xh"], dec["W_hh"], dec["b_h"], dec_act)
    V, H = dec["W_hy"].shape
    lin = torch.nn.Linear(H, V, dtype=torch.float64)
    with torch.no_grad():
        lin.weight.copy_(to_torch(torch, dec["W_hy"]))
        lin.bias.copy_(to_torch(torch, dec["b_y"]))
    E = to_torch(torch, dec["E"], requires_grad=True)
    xt = to_torch(torch, x, requires_grad=True)
    h0t = to_torch(torch, h0, requires_grad=True)
    _, h_n = em(xt, h0t[None, :])
    context = h_n
    context.retain_grad()
    s, _ = dm(F.embedding(torch.tensor(tin, dtype=torch.long), E), context)
    logits = lin(s)
    losses = F.cross_entropy(logits, torch.tensor(tout, dtype=torch.long), reduction="none")
    losses.sum().backward()
    grads = {
        "enc": {"W_xh": grad_of(em.weight_ih_l0), "W_hh": grad_of(em.weight_hh_l0),
                "b_h": grad_of(em.bias_ih_l0)},
        "dec": {"E": grad_of(E), "W_xh": grad_of(dm.weight_ih_l0), "W_hh": grad_of(dm.weight_hh_l0),
                "b_h": grad_of(dm.bias_ih_l0), "W_hy": grad_of(lin.weight), "b_y": grad_of(lin.bias)},
        "x": grad_of(xt), "h0": grad_of(h0t), "c": grad_of(context)[0],
    }
    return (losses.detach().numpy(), torch.softmax(logits, -1).detach().numpy(),
            s.detach().numpy(), h_n.detach().numpy()[0], grads)


def assert_grads_close(ours, theirs, **tol):
    for key in ("enc", "dec"):
        for name in theirs[key]:
            np.testing.assert_allclose(ours[key][name], theirs[key][name], **tol,
                                       err_msg=f"{key}.{name}")
    for name in ("x", "h0", "c"):
        np.testing.assert_allclose(ours[name], theirs[name], **tol, err_msg=name)


@pytest.mark.oracle
@given(T=st.integers(1, 5), D=st.integers(1, 4), H=st.integers(1, 4), V=st.integers(2, 6),
       D_dec=st.integers(1, 4), T_dec=st.integers(1, 5), one_hot=st.booleans(),
       enc_act=st.sampled_from(ACTS), dec_act=st.sampled_from(ACTS),
       zero_h0=st.booleans(), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_loss_and_every_gradient_match_torch(torch, T, D, H, V, D_dec, T_dec, one_hot,
                                             enc_act, dec_act, zero_h0, seed):
    rng = np.random.default_rng(seed)
    x, tin, tout, enc, dec = draw(rng, T, D, H, V, D_dec, T_dec, one_hot)
    h0 = np.zeros(H) if zero_h0 else rng.normal(size=H)
    loss, losses, g, cache = s2s.seq2seq_loss_and_grads(
        x, tin, tout, enc, dec, h0=None if zero_h0 else h0,
        enc_activation=enc_act, dec_activation=dec_act)
    t_losses, t_probs, t_s, t_c, tg = torch_seq2seq(torch, x, tin, tout, enc, dec, h0,
                                                     enc_act, dec_act)
    np.testing.assert_allclose(losses, t_losses, **TOL)
    assert loss == pytest.approx(t_losses.sum(), rel=1e-10, abs=1e-10)
    np.testing.assert_allclose(cache["c"], t_c, **TOL)
    np.testing.assert_allclose(cache["dec"]["h"], t_s, **TOL)
    np.testing.assert_allclose(cache["out"]["y_hat"], t_probs, **TOL)
    assert_grads_close(g, tg, **TOL)


@pytest.mark.oracle
def test_explicit_tensor_ops_oracle_with_repeated_tokens(torch, rng):
    """A second torch construction, step by step with explicit matmuls (no nn.RNN),
    with a token repeated in targets_in so that dE must accumulate."""
    x, _, tout, enc, dec = draw(rng, 4, 3, 3, 4, 2, 5)
    tin = np.array([0, 2, 2, 1, 2])
    h0 = rng.normal(size=3)
    loss, _, g, _ = s2s.seq2seq_loss_and_grads(x, tin, tout, enc, dec, h0=h0)
    P = {f"enc_{k}": to_torch(torch, v, requires_grad=True) for k, v in enc.items()}
    P.update({f"dec_{k}": to_torch(torch, v, requires_grad=True) for k, v in dec.items()})
    xt = to_torch(torch, x, requires_grad=True)
    h = to_torch(torch, h0, requires_grad=True)
    h0t = h
    for t in range(x.shape[0]):
        h = torch.tanh(P["enc_W_hh"] @ h + P["enc_W_xh"] @ xt[t] + P["enc_b_h"])
    s = h
    total = 0
    for j, (u, y) in enumerate(zip(tin, tout)):
        s = torch.tanh(P["dec_W_hh"] @ s + P["dec_W_xh"] @ P["dec_E"][int(u)] + P["dec_b_h"])
        z = P["dec_W_hy"] @ s + P["dec_b_y"]
        total = total - torch.log_softmax(z, 0)[int(y)]
    total.backward()
    assert loss == pytest.approx(total.item(), rel=1e-12)
    for k in enc:
        np.testing.assert_allclose(g["enc"][k], grad_of(P[f"enc_{k}"]), **TOL, err_msg=k)
    for k in dec:
        np.testing.assert_allclose(g["dec"][k], grad_of(P[f"dec_{k}"]), **TOL, err_msg=k)
    np.testing.assert_allclose(g["x"], grad_of(xt), **TOL)
    np.testing.assert_allclose(g["h0"], grad_of(h0t), **TOL)
    assert np.all(g["dec"]["E"][3] == 0)  # token 3 is never an input


@pytest.mark.parametrize("one_hot", [False, True])
def test_gradients_match_finite_differences(rng, one_hot):
    x, tin, tout, enc, dec = draw(rng, 3, 2, 3, 4, 2, 4, one_hot)
    tin[1] = tin[3]  # a repeated input token
    h0 = rng.normal(size=3)
    _, _, g, _ = s2s.seq2seq_loss_and_grads(x, tin, tout, enc, dec, h0=h0)

    def loss():
        return s2s.seq2seq_loss_and_grads(x, tin, tout, enc, dec, h0=h0)[0]

    check_gradients(loss, enc, g["enc"], rtol=1e-6, atol=1e-8)
    check_gradients(loss, dec, g["dec"], rtol=1e-6, atol=1e-8)
    check_gradients(loss, {"x": x, "h0": h0}, g, rtol=1e-6, atol=1e-8)


def torch_greedy(torch, context, dec, start, max_len, end, act):
    f = torch.tanh if act == "tanh" else torch.relu
    W = {k: to_torch(torch, v) for k, v in dec.items()}
    s = to_torch(torch, context)
    tok, toks, probs, states = start, [], [], []
    for _ in range(max_len):
        s = f(W["W_hh"] @ s + W["W_xh"] @ W["E"][tok] + W["b_h"])
        p = torch.softmax(W["W_hy"] @ s + W["b_y"], 0)
        tok = int(torch.argmax(p))
        toks.append(tok)
        probs.append(p.numpy())
        states.append(s.numpy())
        if end is not None and tok == end:
            break
    return np.array(toks), np.array(probs), np.array(states)


@pytest.mark.oracle
@given(T=st.integers(1, 5), D=st.integers(1, 4), H=st.integers(1, 5), V=st.integers(2, 6),
       D_dec=st.integers(1, 4), max_len=st.integers(1, 8), use_end=st.booleans(),
       act=st.sampled_from(ACTS), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_greedy_decode_matches_torch_argmax_loop(torch, T, D, H, V, D_dec, max_len, use_end,
                                                 act, seed):
    rng = np.random.default_rng(seed)
    x, _, _, enc, dec = draw(rng, T, D, H, V, D_dec, 1)
    start = int(rng.integers(0, V))
    end = int(rng.integers(0, V)) if use_end else None
    tokens, probs, states = s2s.greedy_decode(x, enc, dec, start, max_len, end_token=end,
                                              enc_activation="tanh", dec_activation=act)
    em = rnn_module(torch, enc["W_xh"], enc["W_hh"], enc["b_h"], "tanh")
    _, h_n = em(to_torch(torch, x), to_torch(torch, np.zeros((1, H))))
    t_tokens, t_probs, t_states = torch_greedy(torch, h_n.detach()[0].numpy(), dec, start,
                                               max_len, end, act)
    np.testing.assert_array_equal(tokens, t_tokens)
    np.testing.assert_allclose(probs, t_probs, **TOL)
    np.testing.assert_allclose(states, t_states, **TOL)
    # stopping rule, stated directly
    if end is not None and end in tokens:
        assert tokens[-1] == end and list(tokens).count(end) == 1
    else:
        assert len(tokens) == max_len
    # same answer from the context directly
    c, _ = s2s.encode(x, enc)
    tokens2, _, _ = s2s.greedy_decode(None, None, dec, start, max_len, end_token=end, context=c,
                                      dec_activation=act)
    np.testing.assert_array_equal(tokens, tokens2)


def test_greedy_decode_closed_form_one_hot():
    """H = 2, V = 3, one-hot inputs, W_hh = 0: s_j = tanh(W_xh e_u + b), so the next token
    is a fixed function of the previous: 0 -> 1 -> 2 (end)."""
    V = 3
    dec = {"E": np.eye(V), "W_xh": np.array([[1.0, -1.0, 0.0], [-1.0, 1.0, 0.0]]),
           "W_hh": np.zeros((2, 2)), "b_h": np.zeros(2),
           "W_hy": np.array([[0.0, 0.0], [2.0, -2.0], [-2.0, 2.0]]), "b_y": np.zeros(V)}
    tokens, probs, states = s2s.greedy_decode(None, None, dec, 0, 10, end_token=2,
                                              context=np.array([5.0, -5.0]))
    np.testing.assert_array_equal(tokens, [1, 2])
    t = np.tanh(1.0)
    np.testing.assert_allclose(states, [[t, -t], [-t, t]], rtol=1e-15)
    z = np.array([0.0, 4 * t, -4 * t])
    np.testing.assert_allclose(probs[0], np.exp(z) / np.exp(z).sum(), rtol=1e-14)


def test_teacher_forcing_uses_given_inputs_not_predictions(rng):
    """The decoder's step-j state depends only on targets_in[:j]: changing a later
    input token leaves earlier outputs unchanged, changing targets_out changes only the loss."""
    x, tin, tout, enc, dec = draw(rng, 3, 2, 3, 5, 2, 4)
    y1, _ = s2s.seq2seq_forward(x, tin, enc, dec)
    tin2 = tin.copy()
    tin2[2] = (tin[2] + 1) % 5
    y2, _ = s2s.seq2seq_forward(x, tin2, enc, dec)
    np.testing.assert_array_equal(y1[:2], y2[:2])
    assert not np.allclose(y1[2:], y2[2:])


def test_wrong_shapes_name_the_argument(rng):
    x, tin, tout, enc, dec = draw(rng, 3, 2, 3, 4, 2, 4)
    bad = dict(dec, W_hy=np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"W_hy.*\(V, H\)"):
        s2s.seq2seq_forward(x, tin, enc, bad)
    bad = dict(dec, W_xh=np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"W_xh.*\(H, D\)"):
        s2s.seq2seq_forward(x, tin, enc, bad)
    bad = dict(enc, W_xh=np.zeros((3, 7)))
    with pytest.raises(ValueError, match=r"W_xh.*\(H, D\)"):
        s2s.seq2seq_forward(x, tin, bad, dec)
    with pytest.raises(ValueError, match="targets_in"):
        s2s.seq2seq_forward(x, np.array([0, 4]), enc, dec)
    _, cache = s2s.seq2seq_forward(x, tin, enc, dec)
    with pytest.raises(ValueError, match="targets"):
        s2s.seq2seq_backward(tout[:2], cache)
    with pytest.raises(ValueError, match="missing 'E'"):
        s2s.seq2seq_forward(x, tin, enc, {k: v for k, v in dec.items() if k != "E"})
    with pytest.raises(ValueError, match="context"):
        s2s.greedy_decode(None, None, dec, 0, 3)
