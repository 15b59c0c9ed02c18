"""Skip-gram training pairs: how many (centre, context) pairs a sentence gives, and one word's contexts."""

from quizgen.bank import Choice, Integer, Part, Redraw
from reference_impl.word2vec import skipgram_pairs

TITLE = "Skip-gram (centre, context) training pairs"
TAGS = ("word2vec", "skip-gram", "window", "counting", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 0
N_OPTIONS = 5

# Short lower-case sentences with at least six distinct words (some repeat a word).
SENTENCES = (
    "the cat sat on the mat near the door",
    "venky loves apple it keeps him healthy",
    "i like deep learning and i like nlp",
    "the quick brown fox jumps over the lazy dog",
    "word embeddings map words to dense vectors",
    "the king and the queen rule the land",
    "a dog chased a cat up a tree",
    "we train skip gram on a large corpus",
    "i am doing good and i am happy",
)

PARTS = [
    Part("n_pairs", Integer(), label="(a)", points=1),
    Part("contexts", Choice(N_OPTIONS, multiple=True), label="(b)", points=1),
]

MISTAKES = {
    "no_end_clipping": "every word was given $2m$ contexts, as if the window never ran past the ends of the sentence",
    "one_side_only": "only the words after the centre were paired (each neighbouring pair counted once, not in both directions)",
    "centre_counted": "the centre word was counted as one of its own contexts ($2m+1$ words per full window)",
}


def generate(rng):
    tokens = SENTENCES[int(rng.integers(len(SENTENCES)))].split()
    window = int(rng.integers(1, 3))
    t = int(rng.integers(len(tokens)))
    near = tokens[max(0, t - window):t] + tokens[t + 1:t + window + 1]
    if tokens[t] in near:
        raise Redraw("the centre word occurs again inside its own window")
    others = sorted(set(tokens) - {tokens[t]} - set(near))
    n_wrong = N_OPTIONS - len(set(near))
    wrong = [str(w) for w in rng.choice(others, size=n_wrong, replace=False)]
    options = sorted(set(near)) + wrong
    options = [options[i] for i in rng.permutation(len(options))]
    return {"tokens": tokens, "window": window, "position": t, "options": options}


def solve(p, work):
    tokens, m, t = list(p["tokens"]), p["window"], p["position"]
    T = len(tokens)
    if work.made("no_end_clipping"):
        n = 2 * m * T
    elif work.made("one_side_only"):
        n = sum(min(m, T - 1 - j) for j in range(T))
    else:
        n = len(skipgram_pairs(tokens, m)) + (T if work.made("centre_counted") else 0)
    work.answer("n_pairs", n)

    near = set(tokens[max(0, t - m):t] + tokens[t + 1:t + m + 1])
    work.step("context_words", tuple(sorted(near)))
    letters = "ABCDEFGHIJ"
    work.answer("contexts", frozenset(letters[i] for i, w in enumerate(p["options"]) if w in near))


STEM = r"""
Skip-gram is trained on (centre, context) pairs. With a window of $m$ words on each side, the word
$w_t$ at every position $t$ of the sentence is paired with each word $w_{t+j}$, $-m \le j \le m$, $j \neq 0$,
that exists: the window is clipped at the ends of the sentence (no padding), and a word that occurs
twice is a centre at each of its positions. Take the sentence (already tokenised)

> {{ p.tokens | join(" ") }}

({{ p.tokens | length }} tokens) and the window $m = {{ p.window }}$.

(a) How many (centre, context) training pairs does this sentence give?

(b) Which of these words are contexts of the centre word "{{ p.tokens[p.position] }}" at position
{{ p.position + 1 }} (positions numbered from 1)? Give every correct letter.

{% for o in p.options %}
{{ "ABCDEFGHIJ"[loop.index0] }}. {{ o }}

{% endfor %}
"""

SOLUTION = r"""
(a) A word has $m$ neighbours on each side except within $m$ positions of an end, where the window is
clipped. Counting each position's contexts from left to right and adding up gives ${{ key.n_pairs }}$
pairs (in closed form, $2mT - m(m+1)$ for $T \ge 2m$ tokens).

(b) The window of position {{ p.position + 1 }} holds
{{ s.context_words | join(", ") }}, so the answer is ${{ key.contexts }}$.
"""
