"""CBOW: the hidden vector (mean of the context input vectors), the target's score and p(target | context)."""


from quizgen.bank import Number, Part, Redraw, Vector, draw
from reference_impl.activations import sigmoid, softmax
from reference_impl.word2vec import build_vocabulary, cbow_hidden

TITLE = "CBOW: hidden vector, target score and softmax probability"
TAGS = ("word2vec", "cbow", "embedding", "softmax", "forward")
DIFFICULTY = 2
VERSION = 1
DECIMALS = 4
SIZES = ("calculator", "computer")
N = 3  # embedding size

SENTENCE = {
    "calculator": "the cat sat on the mat",                      # V = 5
    "computer": "the quick brown fox jumps over the lazy dog",   # V = 8
}

PARTS = [
    Part("h", Vector(N), label="h", points=1),
    Part("score", Number(4), label=r"u_t^\top h", points=1),
    Part("p", Number(4), label=r"p(w_t \mid \text{context})", points=1),
]

MISTAKES = {
    "sum_not_mean": "the context input vectors were added but not divided by the number of context words $C$",
    "target_in_context": "the target word's own input vector was included in the average",
    "output_vectors_averaged": "the output vectors $u_w$ (rows of $W_{out}$) were averaged instead of the input vectors $v_w$",
    "sigmoid_for_softmax": "$p$ was taken as $\\sigma(u_t^\\top h)$ instead of the softmax over the whole vocabulary",
}


def generate(rng, size="calculator"):
    tokens = SENTENCE[size].split()
    vocab, _ = build_vocabulary(tokens)
    V = len(vocab)
    window = int(rng.integers(1, 3)) if size == "calculator" else int(rng.integers(2, 4))
    t = int(rng.integers(len(tokens)))
    places = 1 if size == "calculator" else 2
    params = {
        "tokens": tokens, "window": window, "position": t,
        "W_in": draw.decimals(rng, (V, N), -1, 1, places=places),
        "W_out": draw.decimals(rng, (V, N), -1, 1, places=places),
    }
    if tokens[t] in tokens[max(0, t - window):t] + tokens[t + 1:t + window + 1]:
        raise Redraw("the target word occurs again inside its own window")
    return params


def context_indices(p):
    """Vocabulary indices of the words around the target (clipped at the ends; repeats kept)."""
    tokens, m, t = list(p["tokens"]), p["window"], p["position"]
    _, index = build_vocabulary(tokens)
    return [index[w] for w in tokens[max(0, t - m):t] + tokens[t + 1:t + m + 1]]


def solve(p, work):
    _, index = build_vocabulary(list(p["tokens"]))
    target = index[p["tokens"][p["position"]]]
    ctx = context_indices(p)
    if work.made("target_in_context"):
        ctx = ctx + [target]
    W = p["W_out"] if work.made("output_vectors_averaged") else p["W_in"]
    h = cbow_hidden(ctx, W)
    if work.made("sum_not_mean"):
        h = h * len(ctx)
    h = work.answer("h", h)

    z = work.step("z", p["W_out"] @ h)            # z_w = u_w . h for every word w
    score = work.answer("score", float(z[target]))
    if work.made("sigmoid_for_softmax"):
        prob = sigmoid(score)
    else:
        z = z.copy()
        z[target] = score                            # the target's own score, as answered
        prob = softmax(z)[target]
    work.answer("p", float(prob))


STEM = r"""
A CBOW model predicts a target word from its context. Every word $w$ has an input vector $v_w$ (row $w$ of
$W_{in}$) and an output vector $u_w$ (row $w$ of $W_{out}$). For a target $w_t$ with the $C$ context words
within $m$ positions on either side (clipped at the ends of the sentence; a repeated word counts each time),
$$h = \frac{1}{C} \sum_{j \in \text{context}} v_j, \qquad
p(w_t \mid \text{context}) = \frac{\exp(u_{t}^\top h)}{\sum_{w} \exp(u_w^\top h)}.$$
The sentence is "{{ p.tokens | join(" ") }}"; its vocabulary, in order of first appearance, is
{% for w in p.tokens | unique %}({{ loop.index0 }}) {{ w }}{{ ", " if not loop.last else "" }}{% endfor %}, and
$$W_{in} = {{ p.W_in | tex }},\qquad W_{out} = {{ p.W_out | tex }}.$$
The target is "{{ p.tokens[p.position] }}" at position {{ p.position + 1 }} (positions numbered from 1) and the
window is $m = {{ p.window }}$.

Compute (a) the hidden vector $h$, (b) the target's score $u_t^\top h$ and (c) $p(w_t \mid \text{context})$.
Round to {{ d }} decimals.
"""

SOLUTION = r"""
(a) The context words are
{% for i in range(p.tokens | length) if i != p.position and i >= p.position - p.window and i <= p.position + p.window %}"{{ p.tokens[i] }}"{{ ", " if not loop.last else "" }}{% endfor %};
averaging their rows of $W_{in}$ gives $h = {{ key.h }}$.

(b) The scores of all words are $W_{out} h = {{ s.z | row(d) }}$; the target's is $u_t^\top h = {{ key.score }}$.

(c) The softmax of those scores at the target: $p(w_t \mid \text{context}) = {{ key.p }}$.
"""
