"""Word vectors: cosine similarities, the nearest neighbour among three words, and a one-hot vector."""

import numpy as np

from quizgen.bank import Choice, Part, Redraw, Vector
from reference_impl.word2vec import build_vocabulary, cosine_similarity, one_hot_vocabulary

TITLE = "Cosine similarity, nearest neighbour and one-hot vectors"
TAGS = ("word2vec", "cosine-similarity", "one-hot", "embedding", "calculator")
DIFFICULTY = 1
VERSION = 1
DECIMALS = 4
FEATURES = ("is fruit", "is an animal", "is edible")

# Typical feature values (is fruit, is an animal, is edible) of each kind of word, as in the
# notes' apple / mango / elephant table; each draw adds noise to them.
KINDS = {
    "fruit": ((0.9, 0.05, 0.9), ("apple", "mango", "banana", "orange", "grape")),
    "animal": ((0.05, 0.9, 0.1), ("elephant", "tiger", "horse", "lion", "zebra")),
    "food": ((0.1, 0.05, 0.9), ("bread", "rice", "cheese", "pasta")),
    "meat": ((0.05, 0.8, 0.8), ("chicken", "salmon", "lamb")),
}

# Sentences with five distinct words (first-appearance order differs from alphabetical order).
SENTENCES = (
    "the cat sat on the mat",
    "i am good i am great today",
    "dogs chase cats and cats chase mice",
    "the king met the queen today",
    "apple and mango are fruits",
    "venky loves apple it loves mango",
)

PARTS = [
    Part("sims", Vector(3), label="(a)", points=1),
    Part("nearest", Choice(3), label="(b)", points=1),
    Part("onehot", Vector(5, decimals=None), label="(c)", points=1, uses=()),
]

MISTAKES = {
    "dot_not_normalised": "the dot products $a \\cdot b$ were given without dividing by $\\|a\\|\\,\\|b\\|$",
    "no_square_root": "the dot product was divided by $\\|a\\|^2 \\|b\\|^2$ (the square roots of the norms were forgotten)",
    "alphabetical_vocabulary": "the vocabulary was sorted alphabetically instead of in order of first appearance",
}


def generate(rng):
    kinds = list(KINDS)
    query_kind = kinds[int(rng.integers(len(kinds)))]
    candidate_kinds = [kinds[int(i)] for i in rng.choice(len(kinds), size=3, replace=False)]
    words, rows = [], []
    for kind in [query_kind] + candidate_kinds:
        centre, names = KINDS[kind]
        names = [w for w in names if w not in words]
        words.append(str(names[int(rng.integers(len(names)))]))
        noise = rng.integers(-10, 11, size=3) / 100
        rows.append(np.clip(np.round(np.array(centre) + noise, 2), 0.01, 0.99))
    tokens = SENTENCES[int(rng.integers(len(SENTENCES)))].split()
    vocab, _ = build_vocabulary(tokens)
    word = vocab[int(rng.integers(len(vocab)))]
    if sorted(vocab).index(word) == vocab.index(word):
        raise Redraw("the asked word has the same index in alphabetical order")
    sims = np.sort(cosine_similarity(rows[0], np.array(rows[1:])))
    if sims[-1] - sims[-2] < 0.005:
        raise Redraw("two candidates are nearly equally close")
    return {"words": words, "vectors": np.array(rows), "tokens": tokens, "word": word}


def solve(p, work):
    E = p["vectors"]
    q, candidates = E[0], E[1:]
    if work.made("dot_not_normalised"):
        sims = candidates @ q
    elif work.made("no_square_root"):
        sims = (candidates @ q) / (np.sum(q**2) * np.sum(candidates**2, axis=1))
    else:
        sims = cosine_similarity(q, candidates)
    work.step("dots", candidates @ q)
    work.step("norms", np.linalg.norm(E, axis=1))
    sims = work.answer("sims", sims)
    best = int(np.argmax(sims))                      # from the similarities as answered
    work.answer("nearest", frozenset("ABC"[best]))

    tokens = list(p["tokens"])
    if work.made("alphabetical_vocabulary"):
        vocab = sorted(set(tokens))
        work.answer("onehot", (np.array(vocab) == p["word"]).astype(float))
    else:
        vocab, encoding = one_hot_vocabulary(tokens)
        work.answer("onehot", encoding[p["word"]])
    work.step("vocab", tuple(vocab))


STEM = r"""
Word vectors can place similar words close together. Here each word has three hand-made features
(is fruit, is an animal, is edible):

| word | is fruit | is an animal | is edible |
|---|---|---|---|
{% for w in p.words %}
| {{ w }} | {{ p.vectors[loop.index0][0] | num(2) }} | {{ p.vectors[loop.index0][1] | num(2) }} | {{ p.vectors[loop.index0][2] | num(2) }} |
{% endfor %}

The cosine similarity of two vectors is $\cos(a, b) = \dfrac{a \cdot b}{\|a\|\,\|b\|}$.

(a) Compute the cosine similarities of "{{ p.words[0] }}" with "{{ p.words[1] }}", "{{ p.words[2] }}" and
"{{ p.words[3] }}", in that order. Round to {{ d }} decimals.

(b) Which word is the nearest neighbour of "{{ p.words[0] }}" (the highest cosine similarity)?
A. {{ p.words[1] }} &nbsp; B. {{ p.words[2] }} &nbsp; C. {{ p.words[3] }}

(c) One-hot encoding numbers the distinct words of a text in order of first appearance and gives word
number $i$ the vector with a 1 in position $i$ and 0 elsewhere. For the text "{{ p.tokens | join(" ") }}",
give the one-hot vector of "{{ p.word }}".
"""

SOLUTION = r"""
(a) The norms are $\|{{ p.words[0] }}\| = {{ s.norms[0] | num(d) }}$, then
{{ s.norms[1] | num(d) }}, {{ s.norms[2] | num(d) }} and {{ s.norms[3] | num(d) }} for the three others; the dot
products with "{{ p.words[0] }}" are ${{ s.dots | row(d) }}$. Dividing each by the product of the two norms:
${{ key.sims }}$.

(b) The largest similarity: ${{ key.nearest }}$.

(c) The vocabulary in order of first appearance is {{ s.vocab | join(", ") }}, so the one-hot vector of
"{{ p.word }}" is ${{ key.onehot }}$.
"""
