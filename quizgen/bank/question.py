"""The question model: templates, the worked computation, and frozen variants.

A question template is one Python file (see ``question_bank/README.md``) that
declares ``TITLE``, ``TAGS``, ``DIFFICULTY``, ``VERSION``, ``PARTS``, optionally
``MISTAKES``, ``DECIMALS`` and ``SIZES``, the Jinja2 texts ``STEM`` and
``SOLUTION``, and two functions. Its id and topic come from where the file sits
(``quizgen.bank.loader``): ``question_bank/rnn/forward_two_steps.py`` is
``rnn.forward_two_steps`` in topic ``rnn``.

``generate(rng) -> params``
    draws the parameters with the ``numpy.random.Generator`` it is given
    (never a global one), rounded to what the stem prints, and raises
    :class:`Redraw` for a degenerate draw. A template with a larger
    take-home version declares ``SIZES = ("calculator", "computer")`` and
    accepts ``generate(rng, size="calculator")``.

``solve(p, work)``
    computes every answer with ``reference_impl``, recording each through
    ``work.answer(name, value)`` and each intermediate a worked solution shows
    through ``work.step(name, value)``, and using the values those calls
    *return* for what follows. That one rule gives the engine, for every
    template at once: error carried forward (``work`` hands back the student's
    own earlier answer), the hand-calculation key (``work`` hands back values
    rounded as the stem asks), and named mistakes (``work.made(name)`` is true
    while the engine computes that deliberate mistake).

A :class:`Variant` is one draw, frozen: params, answers, steps, the hand key
and every named mistake's answers, all as JSON data, so grading never depends
on re-running a random generator.
"""

from __future__ import annotations

import json
import math
import dataclasses
from decimal import ROUND_HALF_UP, Decimal
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np

from quizgen.bank.kinds import LETTERS, AnswerKind


class Redraw(Exception):
    """Raised by ``generate`` (or ``solve``) when a draw is degenerate; the engine draws again."""


class TemplateError(Exception):
    """A template file cannot be loaded or does not keep the template contract."""


MAX_DRAWS = 200


@dataclass
class Part:
    """One answer blank of a question.

    ``name`` is the key ``solve`` records it under; ``label`` is what the page
    and the answer sheet show (``f_1``, ``h_2``, ``(a)``); ``points`` its weight.
    ``uses`` names the earlier parts whose values can change this one's answer,
    directly or through other parts (``C_t`` uses ``f_t``, ``i_t`` and
    ``\tilde C_t``); a part that uses none of the parts a student got wrong
    cannot be right by error carried forward, so grading skips re-running solve
    for it. Left out, every earlier part counts. ``tests/question_bank`` checks
    every declaration by perturbing the other parts.
    """

    name: str
    kind: AnswerKind
    label: str | None = None
    points: float = 1.0
    prompt: str = ""
    uses: tuple | None = None  # the earlier parts this one's answer can depend on (None: all of them)

    def __post_init__(self):
        if self.label is None:
            self.label = self.name
        if self.uses is not None:
            self.uses = tuple(self.uses)


def round_like_numpy(x: float, decimals: int) -> float:
    """``float(np.round(x, decimals))``, bit for bit, without numpy's overhead on one number.

    numpy rounds as rint(x * 10**d) / 10**d (half to even); Python's round() of a
    float is half to even too, and the sign of a zero result is kept as rint keeps
    it. Hand calculation rounds every intermediate, so this is most of a solve.
    """
    if decimals < 0 or not math.isfinite(x):
        return float(np.round(x, decimals))
    scale = 10.0 ** decimals
    scaled = x * scale
    if not math.isfinite(scaled):
        return float(np.round(x, decimals))
    out = round(scaled) / scale
    return out if out != 0 else math.copysign(0.0, scaled)


def round_half_up(x: float, decimals: int) -> float:
    """``x`` rounded to ``decimals`` as a person does it: a tie goes away from zero. A tie is decided
    on the number as a person writes it: -0.5 * 0.5717 - 0.5 * 2 + 0.4 is -0.88585 on paper but
    -0.8858499999999999 in floating point, so a near-tie is first rounded to ``decimals + 6``."""
    if not math.isfinite(x):
        return x
    scaled = x * 10.0 ** decimals
    if abs(scaled - math.floor(scaled) - 0.5) > 1e-6:  # not (nearly) a tie: as numpy rounds it
        return round_like_numpy(x, decimals)
    written = repr(round(float(x), decimals + 6))
    return float(Decimal(written).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


ROUNDINGS = ("half-even", "half-up")


def _has_tie(value, decimals: int) -> bool:
    """Whether rounding ``value`` (a number or an array of numbers) to ``decimals`` meets a tie."""
    if isinstance(value, (str, tuple, frozenset, bool, int, np.integer)):
        return False
    try:
        scaled = np.asarray(value, dtype=float) * 10.0 ** decimals
    except (TypeError, ValueError):
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.any(np.abs(scaled - np.floor(scaled) - 0.5) <= 1e-6))


class Work:
    """What ``solve`` writes its answers and steps into.

    Two questions a template may ask of ``work``, one spelling each:

    * ``work.is_key``: is this the key's own computation (exact, or the hand key), neither a
      named mistake nor a replay with a student's values or another rounding path? Only this
      computation may reject a draw: call ``work.reject(reason)`` (or
      ``work.require(condition, reason)``), never ``raise Redraw`` inside ``solve`` (a replay
      for error carried forward would then deny the student's credit).
    * ``work.exact``: the key's exact computation (``is_key`` and nothing rounded): guard any
      self-check (asserting the key equals a reference function's) with it.

    ``mistake`` names a deliberate mistake to compute (``made`` tells the
    template); ``given`` maps part names to values that replace the template's
    own (a student's earlier answers, for error carried forward); ``decimals``
    set means hand calculation: every recorded value is rounded to that many
    decimals (or the part's own) before the computation goes on with it, in
    ``rounding`` (``"half-even"`` as numpy rounds, or ``"half-up"`` as people do);
    ``extra`` more decimals than the stem asks for on every step and answer (a
    rounding path of the accepted interval, :meth:`Template.freeze_variant`); ``only``, a set of
    step and part names, moves those alone, by half a unit of the decimals they would be rounded to
    (the most writing that value down can move it: the first-order reach of the interval).
    """

    def __init__(self, template: "Template", mistake: str | None = None,
                 given: dict | None = None, decimals: int | None = None,
                 rounding: str = "half-even", extra: int = 0, only: frozenset | None = None):
        if rounding not in ROUNDINGS:
            raise ValueError(f"rounding must be one of {', '.join(ROUNDINGS)}, got {rounding!r}")
        self.template = template
        self.mistake = mistake
        self.given = given or {}
        self.decimals = decimals
        self.rounding = rounding
        self.extra = extra
        self.only = only
        self.answers: dict = {}
        self.steps: dict = {}
        # set by freeze_variant: note whether any rounding met a tie (half to even and half up
        # then differ; without one, the half-up path is this one and need not be solved)
        self.watch_ties = False
        self.tied = False

    @property
    def is_key(self) -> bool:
        """True for the key's own computation: exact or the hand key (the stem's decimals, half to
        even), no named mistake, no student values, not another rounding path."""
        return (self.mistake is None and not self.given and self.extra == 0
                and self.rounding == "half-even" and self.only is None)

    @property
    def exact(self) -> bool:
        """True for the template's own exact computation (no rounding, no student values, no mistake)."""
        return self.decimals is None and self.is_key

    def reject(self, reason: str) -> None:
        """Reject the draw (raise :class:`Redraw`) when this is the key's own computation; in any
        other computation (a named mistake, error carried forward, a rounding path) do nothing."""
        if self.is_key:
            raise Redraw(reason)

    def require(self, condition, reason: str) -> None:
        """``reject(reason)`` unless ``condition`` holds."""
        if not condition:
            self.reject(reason)

    def made(self, mistake: str) -> bool:
        if mistake not in self.template.mistakes:
            raise TemplateError(f"{self.template.id}: solve asks for unknown mistake {mistake!r}")
        return self.mistake == mistake

    def _rounded(self, value, decimals):
        if self.only is not None:  # moved by the most rounding can move it, not rounded
            if decimals is None or isinstance(value, (str, tuple, frozenset, bool, int, np.integer)):
                return value  # whole numbers and labels are not rounded, so not moved either
            places = decimals + self.extra
            array = np.asarray(value, dtype=float)
            moved = array + 0.5 * 10.0 ** -places * (np.round(array, places) != array)  # written as it is: not moved
            return moved if np.ndim(value) else float(moved)
        if decimals is not None:
            decimals += self.extra
        if self.rounding == "half-up" and decimals is not None:
            return self._rounded_half_up(value, decimals)
        if self.watch_ties and decimals is not None and not self.tied:
            self.tied = _has_tie(value, decimals)
        if type(value) is float and decimals is not None:  # the common case first
            return round_like_numpy(value, decimals)
        if decimals is None or isinstance(value, (str, tuple, frozenset)):
            return value
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return value
        if isinstance(value, (float, np.floating)):
            return round_like_numpy(float(value), decimals)
        return np.round(np.asarray(value, dtype=float), decimals) if np.ndim(value) else \
            round_like_numpy(float(value), decimals)

    @staticmethod
    def _rounded_half_up(value, decimals):
        if isinstance(value, (str, tuple, frozenset, bool)) or (
                isinstance(value, (int, np.integer)) and not isinstance(value, bool)):
            return value
        if np.ndim(value):
            array = np.asarray(value, dtype=float)
            out = np.round(array, decimals)
            scaled = array * 10.0 ** decimals
            with np.errstate(invalid="ignore"):
                ties = np.abs(scaled - np.floor(scaled) - 0.5) <= 1e-6
            for index in zip(*np.nonzero(ties)):
                out[index] = round_half_up(float(array[index]), decimals)
            return out
        return round_half_up(float(value), decimals)

    def step(self, name: str, value, decimals: int | None = None):
        """Record an intermediate value; return it (rounded, in hand calculation)."""
        if self.decimals is not None and (self.only is None or name in self.only):
            value = self._rounded(value, decimals if decimals is not None else self.decimals)
        self.steps[name] = value
        return value

    def answer(self, name: str, value):
        """Record a part's answer; return what the computation should go on with."""
        part = self.template.part(name)
        if name in self.given:
            value = self.given[name]
        elif self.decimals is not None and (self.only is None or name in self.only):
            value = self._rounded(value, part.kind.hand_decimals(self.decimals))
        self.answers[name] = value
        return value


REQUIRED = ("TITLE", "VERSION", "PARTS", "STEM", "SOLUTION", "generate", "solve")


@dataclass
class Template:
    """A loaded question template (see the module docstring for the contract)."""

    id: str
    title: str
    topic: str
    version: int
    parts: list
    stem: str
    solution: str
    generate_fn: object
    solve_fn: object
    tags: tuple = ()
    difficulty: int = 1
    mistakes: dict = field(default_factory=dict)
    decimals: int = 4
    path: Path | None = None
    sizes: tuple = ("calculator",)
    # ids of items this one must never share a paper with (each answers the other); symmetric in a Bank
    excludes: tuple = ()
    # (params, position) -> the params with the single key at ``position``: conceptual single-answer
    # items, whose key letter a paper balances (None: the draw's own place stays)
    move_key_fn: object = None

    @classmethod
    def from_module(cls, module: ModuleType, template_id: str, topic: str, path) -> "Template":
        """The template ``module`` declares, as ``template_id`` in ``topic``, read from the file ``path``.

        A module that still sets ``ID`` or ``TOPIC`` must agree (so older banks keep loading).
        """
        for name, given in (("ID", template_id), ("TOPIC", topic)):
            declared = getattr(module, name, None)
            if declared is not None and str(declared) != given:
                raise TemplateError(f"{path}: {name} = {str(declared)!r}, but the file's place gives "
                                    f"{given!r}; remove the {name} line (the id is <topic folder>.<file "
                                    f"name>) or move the file")
        missing = [n for n in REQUIRED if not hasattr(module, n)]
        if missing:
            raise TemplateError(f"{path}: missing {', '.join(missing)}")
        parts = list(module.PARTS)
        names = [p.name for p in parts]
        if not parts or len(set(names)) != len(names) or not all(isinstance(p, Part) for p in parts):
            raise TemplateError(f"{path}: PARTS must be a non-empty list of Part with distinct names")
        for k, p in enumerate(parts):
            unknown = set(p.uses or ()) - set(names[:k])
            if unknown:
                raise TemplateError(f"{path}: part {p.name!r} uses {', '.join(sorted(unknown))}, which are "
                                    f"not earlier parts")
        decimals = int(getattr(module, "DECIMALS", 4))
        for p in parts:
            # DECIMALS is what the stem asks a student to round to (`d`): a part compared at more
            # decimals than that (a finer tolerance) rejects answers rounded as the stem asks
            asked = p.kind.hand_decimals(decimals)
            if asked is not None and asked > decimals:
                raise TemplateError(f"{path}: part {p.name!r} is compared at {asked} decimals but DECIMALS = "
                                    f"{decimals}, the decimals the stem asks for, so answers rounded as "
                                    f"asked would lose marks; give the part decimals={decimals} (or set "
                                    f"DECIMALS = {asked})")
        return cls(
            id=template_id, title=str(module.TITLE), topic=topic,
            version=int(module.VERSION), parts=parts, stem=module.STEM, solution=module.SOLUTION,
            generate_fn=module.generate, solve_fn=module.solve,
            tags=tuple(getattr(module, "TAGS", ())), difficulty=int(getattr(module, "DIFFICULTY", 1)),
            mistakes=dict(getattr(module, "MISTAKES", {})), decimals=decimals,
            path=Path(path), sizes=tuple(getattr(module, "SIZES", ("calculator",))),
        )

    def influences(self, name: str) -> tuple:
        """The earlier parts whose answers can change part ``name``'s (see :class:`Part`)."""
        names = [p.name for p in self.parts]
        part = self.parts[names.index(name)]
        return part.uses if part.uses is not None else tuple(names[:names.index(name)])

    def part(self, name: str) -> Part:
        for p in self.parts:
            if p.name == name:
                return p
        raise TemplateError(f"{self.id}: solve records an answer {name!r} that PARTS does not declare")

    @property
    def kinds(self) -> list[str]:
        return sorted({p.kind.name for p in self.parts})

    # -- computing ----------------------------------------------------------------

    def solve(self, params: dict, mistake: str | None = None, given: dict | None = None,
              hand: bool = False, rounding: str = "half-even", extra: int = 0,
              watch_ties: bool = False, only: frozenset | None = None) -> Work:
        """Run the template's solve; ``hand`` rounds as a person with a calculator would (to the
        stem's decimals and ``extra`` more, in ``rounding``: see :class:`Work`)."""
        work = Work(self, mistake=mistake, given=given, decimals=self.decimals if hand else None,
                    rounding=rounding, extra=extra, only=only)
        work.watch_ties = watch_ties
        self.solve_fn(params, work)
        missing = [p.name for p in self.parts if p.name not in work.answers]
        if missing:
            raise TemplateError(f"{self.id}: solve gave no answer for {', '.join(missing)}")
        return work

    def draw(self, rng: np.random.Generator, seed_label: str = "", form: str = "typed",
             size: str = "calculator") -> "Variant":
        """Draw params until a non-degenerate variant comes out; freeze it.

        The engine itself rejects draws whose answers are not finite and draws
        where a named mistake gives an answer that nearly equals the key (so a
        distractor could pass for the key, or the key for a mistake).

        ``form="choice"`` turns every numeric part that has named mistakes into
        a multiple-choice part: the key and the mistakes' answers, shuffled.
        ``size="computer"`` asks a template that declares it in ``SIZES`` for
        its larger, take-home draw (``generate(rng, size="computer")``).
        """
        if form not in FORMS:
            raise TemplateError(f"form must be one of {', '.join(FORMS)}, got {form!r}")
        if size not in self.sizes:
            raise TemplateError(f"{self.id} has no {size!r} size; it has {', '.join(self.sizes)}")
        kwargs = {} if size == "calculator" else {"size": size}
        reasons = []
        for _ in range(MAX_DRAWS):
            try:
                params = thaw(freeze(self.generate_fn(rng, **kwargs)))
                variant = self.freeze_variant(params, seed_label)
                if form == "choice":
                    variant = self._with_choices(variant, rng)
                return variant
            except Redraw as why:
                reasons.append(str(why))
        common = max(set(reasons), key=reasons.count) if reasons else "?"
        raise TemplateError(
            f"{self.id}: {MAX_DRAWS} draws in a row were degenerate (most often: {common})")

    def freeze_variant(self, params: dict, seed_label: str) -> "Variant":
        """The variant of ``params`` (drawn, or frozen in a build and thawed): its keys, hand keys,
        mistakes and accepted intervals solved now, without choices. Raises Redraw when the params
        make a degenerate question (an answer not finite, a mistake that cannot be told from the key).

        The accepted interval of a numeric part is the hull of the exact answer and the answers of
        every rounding path (:data:`PATHS`: every step and answer rounded to the stem's decimals,
        one and two more, half to even and half up), widened by the kind's tolerance (the final
        rounding; :meth:`AnswerKind.interval`). Each named mistake gets its interval from the same
        replays; a draw where a mistake's interval meets the key's is redrawn.
        """
        exact = self.solve(params)
        hand = self.solve(params, hand=True, watch_ties=True)
        answers, hand_answers = {}, {}
        for part in self.parts:
            for store, work in ((answers, exact), (hand_answers, hand)):
                value = work.answers[part.name]
                if part.kind.numeric and not np.all(np.isfinite(np.asarray(value, dtype=float))):
                    raise Redraw(f"answer {part.name} is not finite")
                store[part.name] = part.kind.to_json(value)
        intervals = self._intervals(params, None, exact, hand, self.parts)
        mistakes, mistake_intervals = {}, {}
        for name in self.mistakes:
            wrong = self.solve(params, mistake=name)
            mistaken = {}
            for part in self.parts:
                key, value = exact.answers[part.name], wrong.answers[part.name]
                if _same(key, value):
                    continue
                if part.kind.numeric and not np.all(np.isfinite(np.asarray(value, dtype=float))):
                    continue
                mistaken[part.name] = value
            for part_name, value in mistaken.items():  # the cheap test first: the mistake's exact answer
                part = self.part(part_name)
                if part_name in intervals and part.kind.intervals_overlap(part.kind.interval([value]),
                                                                          intervals[part_name]):
                    raise Redraw(f"mistake {name} nearly gives the key for {part_name}")
            wrong_intervals = self._intervals(params, name, wrong, None,
                                              [p for p in self.parts if p.name in mistaken]) if mistaken else {}
            for part_name, value in list(mistaken.items()):
                part = self.part(part_name)
                if part_name in intervals:
                    if part.kind.intervals_overlap(wrong_intervals[part_name], intervals[part_name]):
                        raise Redraw(f"mistake {name} nearly gives the key for {part_name}")
                else:
                    # a mistake must be told apart from both keys a student may give, also once
                    # it is typed rounded as the stem asks
                    key = exact.answers[part_name]
                    typed = part.kind.parse(part.kind.format(value)) if part.kind.numeric else value
                    if not all(part.kind.distinct(v, k) for v in (value, typed)
                               for k in (key, hand.answers[part_name])):
                        raise Redraw(f"mistake {name} nearly gives the key for {part_name}")
                mistaken[part_name] = part.kind.to_json(value)
            if not mistaken:
                raise Redraw(f"mistake {name} gives the same answers as the key")
            # two mistakes may share a wrong value on some part (the feedback then names
            # both) but not on every part, or one of them could never be told apart
            for other, their in mistakes.items():
                if set(their) == set(mistaken) and not any(
                        self.part(n).kind.distinct(self.part(n).kind.from_json(their[n]),
                                                   self.part(n).kind.from_json(mistaken[n]))
                        for n in mistaken):
                    raise Redraw(f"mistakes {other} and {name} give the same answers")
            mistakes[name] = mistaken
            if wrong_intervals:
                mistake_intervals[name] = wrong_intervals
        return Variant(
            template_id=self.id, template_version=self.version, seed=seed_label,
            params=freeze(params), answers=answers, hand_answers=hand_answers,
            steps=freeze(exact.steps), hand_steps=freeze(hand.steps), mistakes=mistakes,
            intervals=intervals, mistake_intervals=mistake_intervals)

    def _intervals(self, params, mistake, exact: Work, hand: Work | None, parts) -> dict:
        """Part name -> accepted interval (JSON) of ``parts`` that have one: the hull of ``exact``'s
        answer and every rounding path's (``hand``, already solved, is the first path). A named
        mistake's interval takes the stem's decimals' paths only: the finer ones lie between them
        and the exact answer for the mistakes of the bank, and each costs a solve per mistake."""
        parts = [p for p in parts if p.kind.has_interval]
        if not parts:
            return {}
        works, even = [exact], {}
        for extra, rounding in PATHS:  # each half-even path before its half-up one
            if mistake is not None and extra > 0:
                break
            if rounding == "half-up" and not even[extra].tied:
                continue  # no rounding met a tie: half up rounds every value as half to even did
            if hand is not None and (extra, rounding) == PATHS[0]:
                work = hand
            else:
                work = self.solve(params, mistake=mistake, hand=True, rounding=rounding, extra=extra,
                                  watch_ties=rounding == "half-even")
            even.setdefault(extra, work)
            works.append(work)
        reach = self._first_order_reach(params, exact, hand, parts) if hand is not None else {}
        out = {}
        for p in parts:
            values = [w.answers[p.name] for w in works] + reach.get(p.name, [])
            values = [v for v in values if np.all(np.isfinite(np.asarray(v, dtype=float)))]
            out[p.name] = p.kind.interval(values)
        return out

    def _first_order_reach(self, params, exact: Work, hand: Work, parts) -> dict:
        """Part name -> ``[low, high]``: how far writing down any choice of the recorded values
        (rounded to the stem's decimals, the others kept in the calculator) can move each answer,
        to first order. A person may keep a value the stem rounds, or round one it keeps, and an
        earlier rounding changes what a later one does: each value moved alone by half a unit (the
        most rounding moves it) moves an answer by some delta. Roundings are independent of each
        other, so the answers reach the root of the sum of the squared deltas either way (the sum
        of their sizes, the worst case of every rounding at its most in one direction, accepted
        answers 10 units off the key in bptt.truncated)."""
        # a value the hand path did not change is written down as it is (a count, a restated param):
        # rounding it moves nothing, and its replay is saved
        names = [n for n in hand.steps if n in exact.steps and not _same(exact.steps[n], hand.steps[n])]
        names += [p.name for p in self.parts if p.name in hand.answers
                  and not _same(exact.answers[p.name], hand.answers[p.name])]
        key = {p.name: np.asarray(exact.answers[p.name], dtype=float) for p in parts}
        squares = {name: np.zeros_like(value) for name, value in key.items()}
        for name in names:
            try:
                with np.errstate(all="ignore"):
                    alone = self.solve(params, hand=True, only=frozenset((name,)))
            except Exception:  # a value the computation cannot go on with when rounded alone
                continue
            for part_name, value in key.items():
                delta = np.asarray(alone.answers[part_name], dtype=float) - value
                if delta.shape != value.shape or not np.all(np.isfinite(delta)):
                    continue
                squares[part_name] += delta ** 2
        return {name: [_like(exact.answers[name], value - np.sqrt(squares[name])),
                       _like(exact.answers[name], value + np.sqrt(squares[name]))] for name, value in key.items()}

    def single_key_parts(self, variant: "Variant") -> dict:
        """Part name -> number of options, for each part answered by one letter whose place the draw
        chose (the numeric choice form's parts, a single-answer item's): what a paper can balance."""
        out = {name: len(choice["options"]) for name, choice in variant.choices.items()}
        if self.move_key_fn is not None:
            out.update({p.name: p.kind.n_options for p in self.parts})
        return out

    def with_key_at(self, variant: "Variant", part_name: str, position: int) -> "Variant":
        """``variant`` with the key of ``part_name`` (a part of :meth:`single_key_parts`) moved to
        ``position`` by swapping it with the option there; every other option keeps its place."""
        if part_name in variant.choices:
            choice = variant.choices[part_name]
            k = LETTERS.index(choice["key"])
            options, mistakes = list(choice["options"]), list(choice["mistakes"])
            options[k], options[position] = options[position], options[k]
            mistakes[k], mistakes[position] = mistakes[position], mistakes[k]
            moved = {"options": options, "mistakes": mistakes, "key": LETTERS[position]}
            return dataclasses.replace(variant, choices={**variant.choices, part_name: moved})
        params = thaw(freeze(self.move_key_fn(variant.params, position)))
        return dataclasses.replace(self.freeze_variant(params, variant.seed), choices=variant.choices)

    def has_choice_form(self) -> bool:
        """Whether a choice form can exist: two named mistakes at least, and a numeric part."""
        return len(self.mistakes) >= MIN_OPTIONS - 1 and any(p.kind.numeric for p in self.parts)

    def _with_choices(self, variant: "Variant", rng) -> "Variant":
        """Options per numeric part: the key and each distinct mistaken answer, shuffled."""
        choices = {}
        for part in self.parts:
            if not part.kind.numeric:
                continue
            options = [(variant.answers[part.name], None)]
            for name, answers in variant.mistakes.items():
                value = answers.get(part.name)
                if value is not None and all(part.kind.distinct(part.kind.from_json(value),
                                                                part.kind.from_json(o))
                                             for o, _ in options):
                    options.append((value, name))
            if len(options) < MIN_OPTIONS:
                continue  # a two-way guess is no question: the part stays typed
            options = options[:MAX_OPTIONS]
            order = rng.permutation(len(options))
            shuffled = [options[i] for i in order]
            choices[part.name] = {
                "options": [o for o, _ in shuffled],
                "mistakes": [m for _, m in shuffled],
                "key": LETTERS[int(np.flatnonzero(order == 0)[0])],
            }
        # a part with fewer distinct mistakes stays typed; with none, the whole variant does
        return dataclasses.replace(variant, choices=choices)


FORMS = ("typed", "choice")
# the rounding paths of the accepted interval: (decimals beyond the stem's, rounding); the first is
# the hand key's
PATHS = ((0, "half-even"), (0, "half-up"), (1, "half-even"), (1, "half-up"), (2, "half-even"), (2, "half-up"))
MIN_OPTIONS, MAX_OPTIONS = 3, 5


def _same(a, b) -> bool:
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b))) or bool(
            np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-12, atol=1e-15))
    except (TypeError, ValueError):
        return a == b


@dataclass(frozen=True)
class Variant:
    """One frozen draw of a template: everything rendering and grading need, as JSON data."""

    template_id: str
    template_version: int
    seed: str
    params: dict
    answers: dict
    hand_answers: dict
    steps: dict
    hand_steps: dict
    mistakes: dict
    choices: dict = field(default_factory=dict)  # part -> {"options", "mistakes", "key"}
    # numeric part -> its accepted interval {"lo", "hi"}, and mistake -> part -> the mistake's;
    # empty in a variant frozen before intervals (accepted_interval falls back on the two keys)
    intervals: dict = field(default_factory=dict)
    mistake_intervals: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "template_id": self.template_id, "template_version": self.template_version,
            "seed": self.seed, "params": self.params, "answers": self.answers,
            "hand_answers": self.hand_answers, "steps": self.steps,
            "hand_steps": self.hand_steps, "mistakes": self.mistakes, "choices": self.choices,
            "intervals": self.intervals, "mistake_intervals": self.mistake_intervals,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Variant":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def dumps(self) -> str:
        """Canonical JSON text: the same variant is the same bytes in any process."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), allow_nan=False)


def accepted_interval(part: Part, variant) -> dict | None:
    """The interval (JSON ``{"lo", "hi"}``) in which ``part``'s answer is accepted: the variant's
    frozen one, or for a variant frozen before intervals the hull of its key and hand key widened
    by the kind's tolerance; None for a kind compared exactly or not as numbers."""
    frozen = getattr(variant, "intervals", None) or {}
    if part.name in frozen:
        return frozen[part.name]
    key = part.kind.from_json(variant.answers[part.name])
    hand = variant.hand_answers.get(part.name) if hasattr(variant, "hand_answers") else None
    return part.kind.interval([key] + ([part.kind.from_json(hand)] if hand is not None else []))


def mistake_interval(part: Part, variant, mistake: str) -> dict | None:
    """The interval of answers named as ``mistake`` for ``part`` (as :func:`accepted_interval`;
    before intervals, the mistake's answer widened by the tolerance)."""
    frozen = (getattr(variant, "mistake_intervals", None) or {}).get(mistake, {})
    if part.name in frozen:
        return frozen[part.name]
    return part.kind.interval([part.kind.from_json(variant.mistakes[mistake][part.name])])


def _like(example, array: np.ndarray):
    """``array`` as ``example`` is: a float for a number, else the array."""
    return float(array) if np.ndim(example) == 0 else array


def freeze(value):
    """Params, answers and steps as plain JSON data (arrays become nested lists)."""
    if isinstance(value, dict):
        return {str(k): freeze(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [freeze(v) for v in value]
    if isinstance(value, np.ndarray):
        return freeze(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not math.isfinite(value):
            raise Redraw("a value is not finite")
        return value
    if isinstance(value, (frozenset, set)):
        return sorted(freeze(v) for v in value)
    if value is None or isinstance(value, str):
        return value
    raise TemplateError(f"cannot freeze a {type(value).__name__} into a variant")


def _numeric_list(value) -> bool:
    if not isinstance(value, list) or not value:
        return False
    if all(type(v) is float or type(v) is int for v in value):  # flat, as most params are
        return True
    return all((isinstance(v, (int, float)) and not isinstance(v, bool)) or _numeric_list(v) for v in value)


def thaw(value):
    """The inverse of :func:`freeze` for solve: lists of numbers become arrays."""
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if _numeric_list(value):
        try:
            return np.array(value)
        except ValueError:  # ragged
            return [thaw(v) for v in value]
    if isinstance(value, list):
        return [thaw(v) for v in value]
    return value
