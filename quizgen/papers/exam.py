"""Assembling an exam: which questions each student gets, in which order, with which numbers.

Every random choice is seeded from the exam secret (HMAC), never from global
state: the selection of questions for a section, the per-student order when a
section shuffles, and each student's variant of each slot (see
:mod:`quizgen.bank.seeds`). The same spec, roster and secret give the same exam,
byte for byte, in any process.

Answer blanks are named by printed position: ``Q3`` for a one-part question,
``Q1a``, ``Q1b``, ... for the parts of a multi-part one. Because an
answer sheet's header must be the same for every student, a section that
shuffles or varies its questions must pick questions with the same number of
blanks.
"""

from __future__ import annotations

import functools
import hashlib
import string
import difflib
from dataclasses import dataclass, field
from fractions import Fraction

from quizgen.bank.kinds import ALL_OR_NOTHING
from quizgen.bank.loader import Bank
from quizgen.bank.marking import credit_rules
from quizgen.errors import InputError
from quizgen.bank.question import Template, TemplateError, Variant
from quizgen.bank.seeds import rng_for, variant_seed
from quizgen.papers.spec import ExamSpec, Section, Student


@dataclass
class Question:
    """One question as one student gets it."""

    number: int          # printed number, 1-based
    slot: int            # position in the exam before any shuffling (the seed uses it)
    section: int         # 0-based index of its section
    template: Template
    variant: Variant
    points: list         # per part
    columns: list        # per part: the answer-sheet column
    credit: list = None  # per part: its multiple_answer_credit rule (None: all-or-nothing for every part)

    def __post_init__(self):
        if self.credit is None:
            self.credit = [ALL_OR_NOTHING] * len(self.points)

    @property
    def total_points(self) -> float:
        return sum(self.points)

    def to_json(self) -> dict:
        # a part's rule is written only where it is not all-or-nothing: a manifest from before the
        # setting, and one that does not use it, read the same
        return {"number": self.number, "slot": self.slot, "section": self.section,
                "template_id": self.template.id, "template_version": self.template.version,
                "parts": [{"name": p.name, "label": p.label, "kind": p.kind.name, "points": pts, "column": col}
                          | ({"credit": rule} if rule != ALL_OR_NOTHING else {})
                          for p, pts, col, rule in zip(self.template.parts, self.points, self.columns, self.credit)],
                "variant": self.variant.to_json()}


@dataclass
class StudentExam:
    student: Student
    questions: list = field(default_factory=list)

    @property
    def total_points(self) -> float:
        return sum(q.total_points for q in self.questions)

    @functools.cached_property
    def variant_code(self) -> str:
        """A short code printed on the page: which variant this paper is (not secret)."""
        digest = hashlib.sha256("|".join(q.variant.dumps() for q in self.questions).encode()).hexdigest()
        return digest[:8].upper()


def columns_for(number: int, n_parts: int) -> list:
    if n_parts == 1:
        return [f"Q{number}"]
    letters = string.ascii_lowercase
    return [f"Q{number}{letters[i]}" for i in range(n_parts)]


QUARTER, HUNDREDTH = Fraction(1, 4), Fraction(1, 100)


def exact(value) -> Fraction:
    """A number of points as the exact decimal it was written as (``0.1`` is 1/10, not the float's
    binary value)."""
    return value if isinstance(value, Fraction) else Fraction(repr(value) if isinstance(value, float) else value)


def split_points(total, weights) -> list:
    """``total`` points shared over parts in proportion to ``weights``, exactly: in quarter points
    (hundredths when ``total`` is not a whole number of quarters or a part with a weight would get
    none). Each part gets its share's whole units, and the units left over go one each to the parts
    with the largest remainder, the later part first among equal ones (later parts build on earlier
    ones), so the shares add up to ``total`` exactly: 4 over three equal parts is 1.25 + 1.25 + 1.5.
    Raises ValueError when not even hundredths can give every weighted part some points."""
    total = exact(total)
    weights = [exact(w) for w in weights]
    if sum(weights) <= 0:
        weights = [Fraction(1)] * len(weights)
    weighted = sum(1 for w in weights if w > 0)
    for unit in (QUARTER, HUNDREDTH):
        units = total / unit
        if units.denominator != 1 or units < weighted:
            continue
        ideal = [units * w / sum(weights) for w in weights]
        shares = [int(x) for x in ideal]  # floor: every ideal share is >= 0
        order = sorted(range(len(ideal)), key=lambda k: (ideal[k] - shares[k], k), reverse=True)
        for k in order[:int(units) - sum(shares)]:
            shares[k] += 1
        if all(s > 0 for s, w in zip(shares, weights) if w > 0):
            return [float(s * unit) for s in shares]
    raise ValueError(f"{float(total):g} points cannot be shared in hundredths over {weighted} parts")


def part_points(section: Section, template: Template) -> list:
    """Each part's points: the section's ``points_per_part``, or its ``points`` shared over the parts
    by the template's weights (:func:`split_points`), or the template's own weights."""
    weights = [p.points for p in template.parts]
    if section.points_per_part is not None:
        return [section.points_per_part] * len(weights)
    if section.points is not None:
        return split_points(section.points, weights)
    return list(weights)


def part_credit(section: Section, template: Template, variant: Variant | None = None) -> list:
    """Each part's credit rule: the section's multiple_answer_credit for a part with several right
    options (asked of its kind), typed as such (not drawn as one letter), else all-or-nothing."""
    rules = credit_rules(template, variant, section.multiple_answer_credit)
    return [rules.get(p.name, ALL_OR_NOTHING) for p in template.parts]


def _rng(secret: bytes, exam_id: str, who: str, what: str):
    return rng_for(variant_seed(secret, exam_id, who, what, "exam", 0))


def section_pool(spec: ExamSpec, bank: Bank, index: int) -> list:
    """The templates a section selects, in the spec's id order, then the bank's."""
    section = spec.sections[index]
    where = f"section {index + 1} ({section.title!r})"
    for template_id in section.ids:
        if template_id not in bank.templates:
            try:
                bank.get(template_id)
            except KeyError as exc:
                raise InputError(spec.path, f"{where}: {exc.args[0]}") from None
    # a misspelt topic or tag would silently select nothing of it ("rbms" for "rbm")
    for key, named, known in (("topic", section.topics, set(bank.topics)),
                              ("tag", section.tags, {tag for t in bank.templates.values() for tag in t.tags})):
        unknown = [n for n in named if n not in known]
        if unknown:
            close = {n: difflib.get_close_matches(n, known, n=1) for n in unknown}
            hint = "; ".join(f"{n!r}" + (f" (did you mean {c[0]!r}?)" if c else "") for n, c in close.items())
            raise InputError(spec.path, f"{where}: no {key} {hint} in the bank; {key}s: "
                                        f"{', '.join(sorted(known))}")
    pool = bank.select(topics=section.topics, tags=section.tags, difficulty=section.difficulty)
    if section.ids:
        by_id = {t.id: t for t in pool} if (section.topics or section.tags or section.difficulty) else bank.templates
        pool = [by_id[i] for i in section.ids if i in by_id]
    if section.form == "choice":
        pool = [t for t in pool if t.has_choice_form() or not any(p.kind.numeric for p in t.parts)]
    if section.size == "computer":
        pool = [t for t in pool if "computer" in t.sizes]
    if not pool:
        raise InputError(spec.path, f"{where}: no question matches its selection")
    for template in pool:
        try:
            part_points(section, template)
        except ValueError as exc:
            raise InputError(spec.path, f"{where}: {template.id}: {exc}") from None
    count = section.count or len(pool)
    if count > len(pool):
        raise InputError(spec.path, f"{where}: asks for {count} questions but only {len(pool)} match: "
                                    f"{', '.join(t.id for t in pool)}")
    if section.shuffle or section.vary:
        blanks = {len(t.parts) for t in pool}
        if len(blanks) > 1:
            detail = ", ".join(f"{t.id} has {len(t.parts)}" for t in pool)
            raise InputError(spec.path, f"{where}: shuffle/vary needs questions with the same number of "
                                        f"answer blanks, so that every answer sheet has the same columns; "
                                        f"{detail}")
    return pool


@dataclass
class ExamPlan:
    """What every student's exam is drawn from: each section's pool and, where all share them, its questions."""

    spec: ExamSpec
    pools: list
    fixed: dict


def excluded_pairs(templates) -> list:
    """The pairs of ``templates`` that exclude each other (each answers the other), in order."""
    ids = [t.id for t in templates]
    return [(a.id, b) for k, a in enumerate(templates) for b in ids[k + 1:] if b in a.excludes]


SEARCH_STEPS = 100_000


def draw_avoiding(spec: ExamSpec, index: int, pool: list, count: int, order, taken: list) -> list:
    """``count`` templates of ``pool`` in the order drawn, skipping any that ``taken`` (the paper's
    other questions) or one taken before it excludes; returned in the pool's order. Without
    exclusions this is ``order[:count]``, as it always was. Where taking the first admissible ones
    leads nowhere, an earlier one is given up for a later (a search in the drawn order)."""
    order = [int(j) for j in order]
    blocked = {j for j in order if any(pool[j].id in t.excludes for t in taken)}

    steps = [0]  # a bound on the search, which only a contrived web of exclusions could reach

    def search(start: int, picked: list) -> list | None:
        if len(picked) == count:
            return picked
        for at in range(start, len(order)):
            steps[0] += 1
            if len(order) - at < count - len(picked) or steps[0] > SEARCH_STEPS:
                return None
            j = order[at]
            if j not in blocked and not any(pool[j].id in pool[k].excludes for k in picked):
                found = search(at + 1, picked + [j])
                if found is not None:
                    return found
        return None

    picked = search(0, []) or []
    if len(picked) < count:
        section = spec.sections[index]
        raise InputError(spec.path, f"section {index + 1} ({section.title!r}): cannot draw {count} questions "
                                    f"of which no two exclude each other (an item's excludes)")
    return [pool[j] for j in sorted(picked)]


def plan_exam(spec: ExamSpec, bank: Bank, secret: bytes) -> ExamPlan:
    pools = [section_pool(spec, bank, i) for i in range(len(spec.sections))]
    fixed = {}
    for i, (section, pool) in enumerate(zip(spec.sections, pools)):
        count = section.count or len(pool)
        if not section.vary and (count == len(pool) or section.ids):
            fixed[i] = pool[:count]
    everyone = [t for chosen in fixed.values() for t in chosen]
    clash = excluded_pairs(everyone)
    if clash:
        names = "; ".join(f"{a} and {b}" for a, b in clash)
        raise InputError(spec.path, f"the questions every paper holds include items that answer each other "
                                    f"(an item's excludes): {names}; select only one of each pair")
    for i, (section, pool) in enumerate(zip(spec.sections, pools)):
        if not section.vary and i not in fixed:  # a topic picks the same questions for everybody, with the secret
            order = _rng(secret, spec.exam_id, "*", f"section {i}").permutation(len(pool))
            fixed[i] = draw_avoiding(spec, i, pool, section.count or len(pool), order, everyone)
            everyone += fixed[i]
    return ExamPlan(spec, pools, fixed)


def assemble(spec: ExamSpec, bank: Bank, students: list, secret: bytes) -> list:
    """One :class:`StudentExam` per student, every variant drawn and frozen."""
    plan = plan_exam(spec, bank, secret)
    return [student_exam(plan, student, secret) for student in students]


def question_from_json(bank: Bank, data: dict) -> Question:
    """A question back from its manifest form (the template looked up in the bank)."""
    template = bank.get(data["template_id"])
    return Question(number=data["number"], slot=data["slot"], section=data["section"], template=template,
                    variant=Variant.from_json(data["variant"]), points=[p["points"] for p in data["parts"]],
                    columns=[p["column"] for p in data["parts"]],
                    credit=[p.get("credit", ALL_OR_NOTHING) for p in data["parts"]])


def student_exam(plan: ExamPlan, student, secret) -> StudentExam:
    return _student_exam(plan.spec, plan.pools, plan.fixed, student, secret)


def _student_exam(spec, pools, fixed, student, secret) -> StudentExam:
    exam = StudentExam(student)
    slot = number = 0
    taken = [t for chosen in fixed.values() for t in chosen]
    for i, (section, pool) in enumerate(zip(spec.sections, pools)):
        count = section.count or len(pool)
        if i in fixed:
            chosen = list(fixed[i])
        else:
            order = _rng(secret, spec.exam_id, student.id, f"section {i}").permutation(len(pool))
            chosen = draw_avoiding(spec, i, pool, count, order, taken)
            taken += chosen
        slots = list(range(slot, slot + len(chosen)))
        placed = list(zip(slots, chosen))
        if section.shuffle:
            perm = _rng(secret, spec.exam_id, student.id, f"shuffle {i}").permutation(len(placed))
            placed = [placed[j] for j in perm]
        for question_slot, template in placed:
            number += 1
            seed = variant_seed(secret, spec.exam_id, student.id, question_slot, template.id, template.version)
            try:
                variant = template.draw(rng_for(seed), f"hmac:{question_slot}", form=section.form,
                                        size=section.size)
            except TemplateError as exc:
                raise InputError(spec.path, f"section {i + 1}: {exc}") from None
            exam.questions.append(Question(
                number=number, slot=question_slot, section=i, template=template, variant=variant,
                points=part_points(section, template), columns=columns_for(number, len(template.parts)),
                credit=part_credit(section, template, variant)))
        slot += len(chosen)
    balance_key_letters(exam, _rng(secret, spec.exam_id, student.id, "key letters"))
    return exam


def balance_key_letters(exam: StudentExam, rng) -> None:
    """Place the keys of the paper's one-letter choice parts so that each letter is the key about
    equally often: the parts with the fewest options first (they can use fewest letters), each key
    on the letter used least so far among its options, ties broken by ``rng``. With every part
    offering the same letters, the counts differ by at most one. Part of the draw: ``verify`` and
    a rebuild place them again the same way, and the frozen variant holds the moved key."""
    parts = [(n, k, name) for k, q in enumerate(exam.questions)
             for name, n in q.template.single_key_parts(q.variant).items()]
    ties = rng.random(len(parts))
    counts = {}
    for (n, k, name), _ in sorted(zip(parts, ties), key=lambda pair: (pair[0][0], pair[1])):
        least = min(counts.get(letter, 0) for letter in range(n))
        candidates = [letter for letter in range(n) if counts.get(letter, 0) == least]
        position = candidates[int(rng.integers(len(candidates)))]
        counts[position] = counts.get(position, 0) + 1
        question = exam.questions[k]
        question.variant = question.template.with_key_at(question.variant, name, position)


def answer_columns(exams: list) -> list:
    """The answer-sheet header after the id and name: identical for every student by construction."""
    header = [c for q in exams[0].questions for c in q.columns]
    for exam in exams[1:]:
        mine = [c for q in exam.questions for c in q.columns]
        if mine != header:  # cannot happen given section_pool's checks; guard the contract anyway
            raise TemplateError(f"student {exam.student.id} has answer columns {mine}, others {header}")
    return header
