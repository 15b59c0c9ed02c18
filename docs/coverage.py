"""The bank's coverage of the course notes, written to docs/coverage.md from the bank's own tags.

    python docs/coverage.py           # rewrite docs/coverage.md
    python docs/coverage.py --check   # exit 1 (saying so) when docs/coverage.md differs from the bank

Every exam question of the notes has a tag: ``notes:partA-q<N>`` (Part A, 003, end of Unit V),
``notes:partB-q<N>`` (Part B, same place) and ``notes:terminal-q<N>`` (terminal questions, 001). An
item or template carries the tag of each question it answers. Every syllabus bullet has a row too:
it counts the templates of its topic folders (``topics`` below) and any other item tagged
``syllabus:<slug>``. tests/question_bank/test_coverage.py fails when the committed table differs
from what the bank generates, when a ``notes:`` or ``syllabus:`` tag names no row (a typo would
silently count nothing), and when a question of the notes has fewer items than the issue asked for.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "docs" / "coverage.md"


@dataclass(frozen=True)
class Row:
    tag: str             # the tag that puts an item in this row
    text: str            # the question or bullet, as the notes word it
    source: str          # where in the notes (file number and line or section)
    topics: tuple = ()   # topic folders whose every item counts here (syllabus rows only)


PART_A = [
    "Define Recurrent Neural Network (RNN).",
    "Explain how RNN differs from Feedforward Neural Network.",
    "What is vanishing gradient problem in RNN?",
    "Why does vanishing gradient occur during backpropagation?",
    "Define Backpropagation Through Time (BPTT).",
    "What is Long Short-Term Memory (LSTM) network?",
    "State the purpose of forget gate in LSTM.",
    "Define Gated Recurrent Unit (GRU).",
    "Differentiate between LSTM and GRU.",
    "What is Bidirectional RNN?",
    "Define Autoencoder.",
    "Explain the role of encoder and decoder in Autoencoder.",
    "What is Generative Adversarial Network (GAN)?",
    "Explain the roles of Generator and Discriminator in GAN.",
    "Mention two applications of sequence models.",
]
PART_B = [
    "Explain the architecture of Recurrent Neural Network (RNN) with neat diagram. Discuss its working and limitations.",
    "Explain the vanishing gradient problem in RNN and how LSTM overcomes it.",
    "Describe the architecture of LSTM network. Explain the functions of input gate, forget gate and output gate with equations.",
    "Compare LSTM and GRU architectures. Discuss advantages and disadvantages of each.",
    "Explain Backpropagation Through Time (BPTT) algorithm with suitable example.",
    "Discuss Bidirectional RNN and its applications in Natural Language Processing.",
    "Explain Autoencoder architecture. Discuss types of autoencoders and their applications.",
    "Explain Generative Adversarial Networks (GANs). Describe the roles of Generator and Discriminator with loss functions.",
    "Discuss applications of sequence models in Speech Recognition, Machine Translation and Text Generation.",
    "Analyze the importance of LSTM in handling long-term dependencies in sequence data.",
    "Compare RNN, LSTM and GRU in terms of architecture, performance and computational complexity",
    "Design a sequence model for sentiment analysis and explain the steps involved",
]
TERMINAL = [
    "Describe how the hidden state in Recurrent Neural Networks (RNNs) contributes to handling sequential data.",
    "Explain why RNNs are more effective than feedforward neural networks for tasks like language modeling and time-series prediction.",
    "Illustrate how different types of RNNs (One to Many, Many to One, Many to Many) can be applied to specific real-world problems.",
    "Analyze the impact of using a Recurrent Unit instead of a traditional neuron in processing sequential inputs.",
    "Compare the advantages and limitations of standard RNNs with Long Short-Term Memory (LSTM) and Gated Recurrent Units (GRU).",
]

QUESTIONS = (
    [Row(f"notes:partA-q{n}", text, f"003 Unit V Part A Q{n}") for n, text in enumerate(PART_A, 1)]
    + [Row(f"notes:partB-q{n}", text, f"003 Unit V Part B Q{n}") for n, text in enumerate(PART_B, 1)]
    + [Row(f"notes:terminal-q{n}", text, f"001 terminal question {n}") for n, text in enumerate(TERMINAL, 1)]
)

SYLLABUS = [
    # Unit 4 as the slides list it (000 l.5-14) and Unit V's syllabus (003 l.111); shared bullets once.
    Row("syllabus:rnn-bptt", "Recurrent Neural Networks - Back propagation through time", "000 l.5", ("rnn", "bptt")),
    Row("syllabus:rnn", "Recurrent Neural Network", "003 l.111 (Unit V)", ("rnn",)),
    Row("syllabus:rnn-data-preparation", "Data Preparation for RNN", "003 l.111, §5.2"),
    Row("syllabus:vanishing-gradient", "Vanishing Gradient problem and RNN", "003 l.111, §5.2", ("vanishing",)),
    Row("syllabus:vanishing-remedies", "Solutions for vanishing and exploding gradients (identity initialisation, "
        "truncation, clipping, choose the right activation)", "002 l.183-206"),
    Row("syllabus:rnn-applications", "Applications of RNN", "003 l.111, §5.3"),
    Row("syllabus:rnn-types", "Types of RNN", "003 l.111, §5.4"),
    Row("syllabus:rnn-limitations", "Limitations of RNN", "003 l.111, §5.5"),
    Row("syllabus:lstm", "Long Short Term Memory", "000 l.6; 003 l.111, §5.6", ("lstm",)),
    Row("syllabus:gru", "Gated Recurrent Units / Gated RNNs", "000 l.7; 003 l.111, §5.7", ("gru",)),
    Row("syllabus:bilstm", "Bidirectional LSTMs", "000 l.8; 003 §5.8"),
    Row("syllabus:birnn", "Bidirectional RNNs", "000 l.9; 003 l.111, §5.8", ("bidirectional",)),
    Row("syllabus:encoder-decoder", "Encoder and Decoder RNN (sequence to sequence)", "002 l.334-391", ("seq2seq",)),
    Row("syllabus:word2vec", "Word Embedding using Word2Vec", "002 l.460-546", ("word2vec",)),
    Row("syllabus:cnn", "Convolutional Neural Networks: LeNet, AlexNet", "000 l.10", ("cnn",)),
    Row("syllabus:cnn-applications", "Applications of CNNs", "000 l.341-347"),
    Row("syllabus:rbm", "Generative models: Restricted Boltzmann Machines (RBMs)", "000 l.11", ("rbm",)),
    Row("syllabus:mcmc", "Introduction to MCMC and Gibbs Sampling", "000 l.12", ("mcmc",)),
    Row("syllabus:rbm-gradients", "gradient computations in RBMs", "000 l.13"),
    Row("syllabus:dbm", "Deep Boltzmann Machines", "000 l.14", ("dbm",)),
    Row("syllabus:autoencoder", "Autoencoder, Architecture and its applications", "003 l.111, §5.9", ("autoencoder",)),
    Row("syllabus:gan", "GAN, GAN Architecture and its applications", "003 l.111, §5.10", ("gan",)),
]

ROWS = QUESTIONS + SYLLABUS
KNOWN_TAGS = {row.tag for row in ROWS}
CHOICE_TYPES = ("single", "multiple", "truefalse", "matching")


def load():
    sys.path.insert(0, str(ROOT))
    from quizgen.bank.loader import load_bank
    return load_bank()


def members(bank, row: Row) -> list:
    return [t for t in bank.templates.values() if row.tag in t.tags or t.topic in row.topics]


def kind(template) -> str:
    if "concept" not in template.tags:
        return "numeric"
    return "essay" if "essay" in template.tags else "choice"


def counts(bank, row: Row) -> dict:
    found = members(bank, row)
    return {k: sum(kind(t) == k for t in found) for k in ("choice", "essay", "numeric")} | {"total": len(found)}


def unknown_tags(bank) -> dict:
    """{tag: [ids]} of notes:/syllabus: tags that name no row."""
    out = {}
    for t in bank.templates.values():
        for tag in t.tags:
            if tag.startswith(("notes:", "syllabus:")) and tag not in KNOWN_TAGS:
                out.setdefault(tag, []).append(t.id)
    return out


def _table(bank, rows, with_ids: bool) -> list:
    head = "| Tag | Question or bullet | Source | Choice | Essay | Numeric | Total |" + (" Items |" if with_ids else "")
    lines = [head, "|" + "---|" * (8 if with_ids else 7)]
    for row in rows:
        c = counts(bank, row)
        cells = [f"`{row.tag}`", row.text.replace("|", "/"), row.source,
                 str(c["choice"]), str(c["essay"]), str(c["numeric"]), f"**{c['total']}**"]
        if with_ids:
            cells.append(", ".join(f"`{t.id}`" for t in members(bank, row)) or "none")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render(bank) -> str:
    out = [
        "# What the bank holds for each question and syllabus bullet of the course notes",
        "",
        "Generated by `python docs/coverage.py` from the bank's tags; do not edit by hand.",
        "`tests/question_bank/test_coverage.py` fails when this file differs from what the bank generates.",
        "",
        "An item answers an exam question when it carries the question's tag (`notes:partA-q15`); an exam",
        "spec can draw from those items with `tags = [\"notes:partB-q12\"]`. A syllabus row counts the",
        "templates of its topic folders and every other item tagged `syllabus:<bullet>`. *Choice* counts",
        "single, multiple, true/false and matching items, *Essay* essays with a rubric, *Numeric* the",
        "Python templates. The notes' files: 000 Unit 4 slides, 001 RNN/BPTT session, 002 handwritten",
        "Unit IV notes, 003 Unit V lecture notes (with the Part A/B question bank), 004 RNN/LSTM/GRU slides.",
        "",
        "## Exam questions of the notes",
        "",
        *_table(bank, QUESTIONS, with_ids=True),
        "",
        "## Syllabus bullets",
        "",
        *_table(bank, SYLLABUS, with_ids=False),
        "",
    ]
    return "\n".join(out)


def main(argv) -> int:
    bank = load()
    text = render(bank)
    if "--check" in argv:
        if TABLE.read_text(encoding="utf-8") != text:
            print(f"{TABLE.relative_to(ROOT)} is out of date: run python docs/coverage.py", file=sys.stderr)
            return 1
        return 0
    TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
