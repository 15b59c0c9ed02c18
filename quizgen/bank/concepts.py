"""Conceptual questions as data: one TOML file per topic, each ``[[question]]`` an item.

An item becomes an ordinary :class:`~quizgen.bank.question.Template` whose
``generate`` shuffles the options with the variant's rng, so conceptual and
numeric questions share drawing, freezing, rendering and grading. Item types::

    [[question]]
    id = "lstm.forget_gate_role"      # unique in the bank
    type = "single"                   # single | multiple | truefalse | matching | essay
    title = "Role of the forget gate" # optional; defaults to the stem's start
    difficulty = 1
    tags = ["gates"]
    stem = "What does the forget gate $f_t$ of an LSTM decide?"
    correct = ["How much of $C_{t-1}$ is kept in $C_t$"]   # single: one; multiple: one or more
    distractors = ["...", "...", "..."]                       # at least 3 for single/multiple
    explanation = "..."                                       # the worked solution
    excludes = ["lstm.concept.cell_path_gradient"]           # optional: items that answer this one

    # truefalse:  answer = true
    # matching:   pairs = [["LSTM", "three gates"], ["GRU", "two gates"], ...]
    #             extra = ["a right-hand option matching nothing"]   (optional)
    # essay:      rubric = ["point 1 (2 marks)", ...], lines = 12, points = 10
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import numpy as np

from quizgen.bank.kinds import LETTERS, Choice, Essay, TrueFalse
from quizgen.bank.question import Part, Template, TemplateError

TYPES = ("single", "multiple", "truefalse", "matching", "essay")
MIN_DISTRACTORS = 3


def options_stem(stem: str) -> str:
    """The stem of a choice item followed by its options, lettered A, B, ... (Jinja over ``p.options``).

    An exporter cuts ``options_stem("")`` from a stem to hand the options to an LMS, which shows them itself.
    """
    return stem.strip() + "\n\n{% for o in p.options %}\n{{ 'ABCDEFGHIJ'[loop.index0] }}. {{ o }}\n\n{% endfor %}"


def shuffler(rng, item_id: str) -> np.random.Generator:
    """The generator that orders an item's options: one draw of ``rng`` mixed with the item's id, so
    that one preview seed (``quizgen show ID --seed N``) does not put every item's key in the same place."""
    salt = int.from_bytes(hashlib.sha256(item_id.encode("utf-8")).digest()[:8], "big")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(rng.integers(2**63)), salt])))


def _single_or_multiple(item: dict, where: str):
    correct, distractors = list(item.get("correct", [])), list(item.get("distractors", []))
    multiple = item["type"] == "multiple"
    if not correct or (not multiple and len(correct) != 1):
        raise TemplateError(f"{where}: a {item['type']} question needs "
                            f"{'one or more' if multiple else 'exactly one'} 'correct' option")
    if len(distractors) < MIN_DISTRACTORS:
        raise TemplateError(f"{where}: needs at least {MIN_DISTRACTORS} distractors, has {len(distractors)}")
    options = correct + distractors
    if len(set(options)) != len(options):
        raise TemplateError(f"{where}: an option is listed twice")
    n = len(options)

    def generate(rng):
        order = [int(i) for i in shuffler(rng, str(item["id"])).permutation(n)]
        return {"options": [options[i] for i in order], "order": order}

    def solve(p, work):
        work.answer("choice", frozenset(LETTERS[k] for k, i in enumerate(p["order"]) if i < len(correct)))

    def move_key(p, position):  # the key (option 0) swaps places with the option at ``position``
        order = [int(i) for i in p["order"]]
        k = order.index(0)
        order[k], order[position] = order[position], order[k]
        return {"options": [options[i] for i in order], "order": order}

    part = Part("choice", Choice(n, multiple=multiple), label="answer", points=float(item.get("points", 1)))
    stem = item["stem"].strip()
    if multiple:
        stem += "\n\n*Choose every correct option.*"
    return [part], generate, solve, options_stem(stem), (None if multiple else move_key)


def _truefalse(item: dict, where: str):
    if not isinstance(item.get("answer"), bool):
        raise TemplateError(f"{where}: a truefalse question needs answer = true or false")

    def generate(rng):
        return {}

    def solve(p, work):
        work.answer("tf", item["answer"])

    part = Part("tf", TrueFalse(), label="T/F", points=float(item.get("points", 1)))
    return [part], generate, solve, "True or false? " + item["stem"].strip(), None


def _matching(item: dict, where: str):
    pairs, extra = item.get("pairs", []), list(item.get("extra", []))
    if len(pairs) < 3 or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise TemplateError(f"{where}: a matching question needs at least 3 pairs [left, right]")
    rights = [r for _, r in pairs] + extra
    if len(set(rights)) != len(rights):
        raise TemplateError(f"{where}: a right-hand option is listed twice")
    n = len(rights)
    parts = [Part(f"m{k + 1}", Choice(n), label=f"{k + 1}", points=float(item.get("points_each", 1)))
             for k in range(len(pairs))]

    def generate(rng):
        order = [int(i) for i in shuffler(rng, str(item["id"])).permutation(n)]
        return {"lefts": [left for left, _ in pairs], "options": [rights[i] for i in order], "order": order}

    def solve(p, work):
        for k in range(len(pairs)):
            work.answer(f"m{k + 1}", frozenset(LETTERS[list(p["order"]).index(k)]))

    stem = (item["stem"].strip() + "\n\n{% for left in p.lefts %}\n{{ loop.index }}. {{ left }}\n\n{% endfor %}"
            "\n\nOptions:\n\n{% for o in p.options %}\n{{ 'ABCDEFGHIJ'[loop.index0] }}. {{ o }}\n\n{% endfor %}")
    return parts, generate, solve, stem, None


def _essay(item: dict, where: str):
    rubric = list(item.get("rubric", []))
    if not rubric:
        raise TemplateError(f"{where}: an essay question needs a rubric (the marking points)")

    def generate(rng):
        return {}

    def solve(p, work):
        work.answer("essay", "")

    part = Part("essay", Essay(lines=int(item.get("lines", 12)), rubric=rubric), label="answer",
                points=float(item.get("points", 10)))
    return [part], generate, solve, item["stem"].strip(), None


BUILDERS = {"single": _single_or_multiple, "multiple": _single_or_multiple,
            "truefalse": _truefalse, "matching": _matching, "essay": _essay}


MARKING_POINTS = "Marking points:"  # heads an essay's rubric at the end of its solution


def without_marking_points(solution: str) -> str:
    """An essay's solution text without its rubric (what a student may see after the exam; the
    marking points are for the marker)."""
    head, _, _ = solution.partition(MARKING_POINTS)
    return head.strip()


def template_from_item(item: dict, topic: str, path: Path, index: int) -> Template:
    where = f"{path}: question {index + 1}" + (f" ({item['id']})" if "id" in item else "")
    for key in ("id", "type", "stem"):
        if key not in item:
            raise TemplateError(f"{where}: missing '{key}'")
    if item["type"] not in TYPES:
        raise TemplateError(f"{where}: type must be one of {', '.join(TYPES)}, got {item['type']!r}")
    parts, generate, solve, stem, move_key = BUILDERS[item["type"]](item, where)
    excludes = item.get("excludes", [])
    if not isinstance(excludes, list) or not all(isinstance(e, str) for e in excludes):
        raise TemplateError(f"{where}: excludes must be a list of item ids")
    explanation = item.get("explanation", "")
    if item["type"] == "essay":
        explanation = (explanation + f"\n\n{MARKING_POINTS}\n\n"
                       + "\n".join(f"- {r}" for r in item["rubric"])).strip()
    title = item.get("title") or item["stem"].strip().split("\n")[0][:60]
    return Template(
        id=str(item["id"]), title=title, topic=str(item.get("topic", topic)),
        version=int(item.get("version", 1)), parts=parts, stem=stem,
        solution=(explanation or "{{ key.values() | join(', ') }}"),
        generate_fn=generate, solve_fn=solve, tags=tuple(item.get("tags", ())) + ("concept", item["type"]),
        difficulty=int(item.get("difficulty", 1)), mistakes={}, decimals=0, path=path,
        excludes=tuple(excludes), move_key_fn=move_key,
    )


def load_concepts(path: Path) -> tuple[list, list]:
    """Templates from one TOML file, and the errors of the items that failed (file, item, reason)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [], [f"{path}: {exc}"]
    templates, errors = [], []
    for index, item in enumerate(data.get("question", [])):
        try:
            templates.append(template_from_item(item, path.parent.name, path, index))
        except TemplateError as exc:
            errors.append(str(exc))
    if "question" not in data:
        errors.append(f"{path}: no [[question]] items")
    return templates, errors
