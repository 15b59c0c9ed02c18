"""Two greedy decoding steps of a tiny encoder-decoder RNN: s_1, u_2, s_2, u_3, with error carried forward."""

import numpy as np

from quizgen.bank import Integer, Part, Redraw, Vector, draw
from reference_impl.rnn import output_forward
from reference_impl.seq2seq import greedy_decode

TITLE = "Seq2seq: two steps of greedy decoding"
TAGS = ("forward", "encoder-decoder", "greedy", "inference", "calculator")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
START = 0
END = 1
VOCABS = (  # token 0 is the start token, token 1 the end token
    ("START", "END", "yes", "no"),
    ("START", "END", "cat", "dog"),
    ("START", "END", "hello", "bye"),
    ("START", "END", "red", "blue"),
)

PARTS = [
    Part("s1", Vector(2), label="s_1"),
    Part("token1", Integer(), label="u_2"),
    Part("s2", Vector(2), label="s_2"),
    Part("token2", Integer(), label="u_3"),
]

# Ordered by how few parts each changes: grading names the first mistake an answer matches.
MISTAKES = {
    "previous_logits": "$u_3$ was read off the previous step's logits $z_1$ instead of $z_2$",
    "start_fed_again": "the start token was fed again at step 2 instead of the emitted $u_2$",
    "W_hh_transposed": "$W_{hh}^\\top s_{j-1}$ was used where the decoder has $W_{hh} s_{j-1}$",
    "decoder_from_zero": "the decoder started from $s_0 = 0$ instead of the context $c$",
}


def generate(rng):
    vocab = VOCABS[int(rng.integers(len(VOCABS)))]
    V, H = len(vocab), 2
    embeddings = draw.decimals(rng, (V, 1), -1, 1)
    if len(set(embeddings[:, 0])) < V:
        raise Redraw("two tokens share an embedding")
    params = {
        "vocab": list(vocab),
        "start_token": START,
        "context": draw.decimals(rng, H, -0.9, 0.9),
        "dec_params": {
            "E": embeddings,
            "W_xh": draw.decimals(rng, (H, 1), -1, 1),
            "W_hh": draw.decimals(rng, (H, H), -1, 1),
            "b_h": draw.decimals(rng, H, -0.5, 0.5),
            "W_hy": draw.decimals(rng, (V, H), -2, 2),
            "b_y": draw.decimals(rng, V, -0.5, 0.5),
        },
    }
    if params["dec_params"]["W_hh"][0, 1] == params["dec_params"]["W_hh"][1, 0]:
        raise Redraw("W_hh is symmetric")
    return params


def _decode_step(dec, state, token):
    """One greedy step from ``state`` fed ``token``: (s_j, pre-activation, logits z_j, next token)."""
    if not 0 <= int(token) < len(dec["E"]):
        raise ValueError(f"token {token} is not in the vocabulary")
    tokens, _, states = greedy_decode(None, None, dec, int(token), max_len=1, context=state)
    a = dec["W_hh"] @ state + dec["W_xh"] @ dec["E"][int(token)] + dec["b_h"]  # printed in the solution
    _, out = output_forward(states, dec["W_hy"], dec["b_y"])
    return states[0], a, out["z"][0], int(tokens[0])


def _greedy(work, name, z):
    """The emitted token, argmax z; the key's draw keeps a clear winner so rounding cannot flip it."""
    top2 = np.sort(z)[-2:]
    if work.exact and top2[1] - top2[0] < 0.1:
        work.reject("two tokens are nearly tied")
    return work.answer(name, int(np.argmax(z)))


def solve(p, work):
    dec = {k: np.asarray(v, dtype=float) for k, v in p["dec_params"].items()}
    if work.made("W_hh_transposed"):
        dec["W_hh"] = dec["W_hh"].T
    s0 = np.zeros(2) if work.made("decoder_from_zero") else p["context"]

    s1, a1, _, _ = _decode_step(dec, s0, p["start_token"])
    work.step("a1", a1)
    s1 = work.answer("s1", s1)
    z1 = work.step("z1", output_forward(s1[None, :], dec["W_hy"], dec["b_y"])[1]["z"][0])
    token1 = _greedy(work, "token1", z1)

    fed = p["start_token"] if work.made("start_fed_again") else token1
    s2, a2, _, _ = _decode_step(dec, s1, fed)
    work.step("a2", a2)
    s2 = work.answer("s2", s2)
    z2 = work.step("z2", output_forward(s2[None, :], dec["W_hy"], dec["b_y"])[1]["z"][0])
    token2 = _greedy(work, "token2", z1 if work.made("previous_logits") else z2)

    if work.exact:
        if np.max(np.abs(np.concatenate([a1, a2]))) > 3:
            work.reject("a pre-activation saturates tanh")
        if np.min(np.abs(np.concatenate([s1, s2]))) < 0.05:
            work.reject("a state component vanishes")
        if token1 in (START, END) or token2 in (START, token1):
            work.reject("the decoder emits START, ends at once, or repeats a token")
        # the chain agrees with the reference's own two-step greedy decoding
        tokens, _, states = greedy_decode(None, None, dec, p["start_token"], 2, context=p["context"])
        assert list(tokens) == [token1, token2] and np.allclose(states, [s1, s2])


STEM = r"""
{% set V = p.vocab | length %}
The decoder of an encoder-decoder RNN (hidden size $H = 2$, tanh units) generates a reply by greedy
decoding. It starts from the encoder's context vector, $s_0 = c$, and is fed the start token first,
$u_1$ = {{ p.vocab[p.start_token] }}; at each step $j$ it computes
$$s_j = \tanh(W_{hh} s_{j-1} + W_{xh} e_{u_j} + b_h),\qquad z_j = W_{hy} s_j + b_y,\qquad
\hat{y}_j = \mathrm{softmax}(z_j),$$
and emits the most probable token: $u_{j+1}$ is the index $k$ of the largest $\hat{y}_j[k]$, and it is fed
at step $j + 1$.
The vocabulary is {% for w in p.vocab %}({{ loop.index0 }}) {{ w }}{{ ", " if not loop.last else "" }}{% endfor %} (rows of $W_{hy}$, $b_y$ and of the embeddings $e$ in that order; each token's embedding is one number). With
$$c = {{ p.context | tex }},\quad W_{hh} = {{ p.dec_params.W_hh | tex }},\quad W_{xh} = {{ p.dec_params.W_xh | tex }},\quad b_h = {{ p.dec_params.b_h | tex }},$$
$$e = {{ p.dec_params.E | tex }},\quad W_{hy} = {{ p.dec_params.W_hy | tex }},\quad b_y = {{ p.dec_params.b_y | tex }},$$
compute $s_1$, the index of the emitted token $u_2$, then $s_2$ and the index of $u_3$.
Round to {{ d }} decimals.
"""

SOLUTION = r"""
Step 1, fed {{ p.vocab[p.start_token] }} ($e = {{ p.dec_params.E[p.start_token][0] | tex }}$) from $s_0 = c$:
$W_{hh} c + W_{xh} e_{u_1} + b_h = {{ s.a1 | tex(d) }}$, so $s_1 = {{ key.s1 }}$.
Logits $z_1 = W_{hy} s_1 + b_y = {{ s.z1 | tex(d) }}$; the largest is entry {{ a.token1 }},
so $u_2 = {{ key.token1 }}$ ({{ p.vocab[a.token1] }}). (The softmax does not change which entry is largest.)

Step 2, fed $u_2$ = {{ p.vocab[a.token1] }} ($e = {{ p.dec_params.E[a.token1][0] | tex }}$) from $s_1$:
$W_{hh} s_1 + W_{xh} e_{u_2} + b_h = {{ s.a2 | tex(d) }}$, so $s_2 = {{ key.s2 }}$.
Logits $z_2 = W_{hy} s_2 + b_y = {{ s.z2 | tex(d) }}$, so $u_3 = {{ key.token2 }}$ ({{ p.vocab[a.token2] }}).

Step 2 starts from your own $s_1$ and $u_2$ (an error there is carried forward).
"""
