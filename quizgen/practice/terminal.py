"""``quizgen practice``: an interactive self-test in the terminal.

:func:`run_practice` picks ``n`` random templates from a selection, draws one
variant of each, prints the stem in readable Unicode math and asks for each
part in turn. Every answer gets immediate feedback from :func:`quizgen.bank.marking.grade`
(correct, within tolerance, the hand-calculation key, error carried forward,
the named mistake, or invalid with the parser's reason; an invalid answer is
asked again, up to :data:`MAX_RETRIES` times). The worked solution is shown on
request (``s``), after the question or always, as ``show_solution`` says. The
session ends with a score per topic and an offer to retry the missed questions
with the same numbers.

Nothing typed can crash it: ``q`` quits, end of input (Ctrl-D) and Ctrl-C end
the session with the summary. Randomness comes from the session's seed (``seed``,
or a fresh six-digit one, printed so the session can be replayed), never from
global state. Each question is drawn from a seed of its own and printed with its
repeat code (:mod:`quizgen.practice.repeatcode`): ``repeat=[code, ...]`` asks those
variants again, and ``quizgen show ID --code CODE`` shows one with its solution.

Commands at any prompt: ``q``/``quit`` quit, ``s``/``solution`` show the worked
solution (the rest of the question is then skipped), ``?``/``help`` this list;
an empty line skips a part.
"""

from __future__ import annotations

import builtins
import secrets
import sys
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from quizgen.bank.kinds import ALL_OR_NOTHING
from quizgen.bank.marking import QuestionResult, credit_rules, grade
from quizgen.bank.answertext import InvalidAnswer
from quizgen.practice import repeatcode
from quizgen.practice.preview import part_label, part_prompt
from quizgen.bank.question import Template, Variant, accepted_interval
from quizgen.bank.texts import render_solution, render_stem
from quizgen.practice.termmath import to_terminal
from quizgen.practice.termtext import TermStyle, finish, render, render_inline, wrap

SHOW_SOLUTION = ("ask", "always", "never")
MAX_RETRIES = 3  # an invalid answer is asked again this many times
QUIT = {"q", "quit", "exit", ":q"}
SOLUTION = {"s", "solution", "sol"}
HELP = {"?", "h", "help"}
YES = {"y", "yes", "o", "oui", "j", "ja"}


class _EndSession(Exception):
    """Raised inside the loop when the session ends early; ``how`` says why."""

    def __init__(self, how: str):
        super().__init__(how)
        self.how = how


@dataclass
class QuestionRecord:
    """One question as it was asked: the variant, what was typed, its grade."""

    template_id: str
    title: str
    topic: str
    variant: Variant
    code: str = ""                  # the repeat code that draws this variant again
    responses: dict = field(default_factory=dict)
    result: QuestionResult | None = None
    complete: bool = False          # every part was answered (or skipped) before moving on
    solution_shown: bool = False
    invalid_attempts: int = 0       # answers that could not be read and were asked again

    @property
    def earned(self) -> float:
        return self.result.earned if self.result is not None else 0.0

    @property
    def possible(self) -> float:
        return self.result.possible if self.result is not None else 0.0

    @property
    def full_marks(self) -> bool:
        return self.result is not None and self.complete and self.earned >= self.possible - 1e-9


@dataclass
class TopicScore:
    questions: int = 0
    earned: float = 0.0
    possible: float = 0.0


@dataclass
class PracticeSummary:
    """What :func:`run_practice` returns.

    ``questions`` are the first pass's questions in the order asked (an
    unfinished one has ``complete=False`` and does not count in the score);
    ``retries`` the questions of any retry rounds. ``ended`` is ``finished``,
    ``quit``, ``eof``, ``interrupt`` or ``empty`` (nothing to ask).
    """

    questions: list = field(default_factory=list)
    retries: list = field(default_factory=list)
    ended: str = "finished"
    entropy: int | None = None     # the session's seed
    skipped: list = field(default_factory=list)   # "template id: reason" for templates that failed to draw

    @property
    def counted(self) -> list:
        return [q for q in self.questions if q.complete]

    @property
    def earned(self) -> float:
        return sum(q.earned for q in self.counted)

    @property
    def possible(self) -> float:
        return sum(q.possible for q in self.counted)

    @property
    def by_topic(self) -> dict:
        out: dict = {}
        for q in self.counted:
            score = out.setdefault(q.topic, TopicScore())
            score.questions += 1
            score.earned += q.earned
            score.possible += q.possible
        return dict(sorted(out.items()))

    @property
    def missed(self) -> list:
        """First-pass questions answered in full without full marks."""
        return [q for q in self.counted if not q.full_marks]


def scripted(answers, echo=None):
    """An ``input_fn`` that returns ``answers`` one by one, then raises EOFError (for tests and demos)."""
    queue = list(answers)

    def input_fn(prompt=""):
        if not queue:
            raise EOFError
        return queue.pop(0)
    return input_fn


def practice_pool(bank, topics=(), difficulty=None, ids=()) -> list:
    """The templates practice can ask: the selection, less those with hand-graded (essay) parts."""
    return [t for t in bank.select(topics=topics, ids=ids, difficulty=difficulty)
            if not any(p.kind.graded_by_hand for p in t.parts)]


def repeat_templates(bank, codes) -> list:
    """The template each repeat code names, in order; RepeatCodeError for a code that names none, or a
    template practice cannot ask (an essay, marked by hand)."""
    out = []
    for code in codes:
        template = repeatcode.template_of(bank, code)
        if any(p.kind.graded_by_hand for p in template.parts):
            raise repeatcode.RepeatCodeError(f"{code} is {template.id}, marked by hand: not practised in the terminal "
                             f"(quizgen show {template.id} --code {code} shows it)")
        out.append(template)
    return out


def run_practice(bank, topics=(), difficulty=None, n: int = 10, seed=None, input_fn=input, out=None,
                 show_solution: str = "ask", retry_missed: bool = True, ids=(),
                 credit: str = ALL_OR_NOTHING, repeat=()) -> PracticeSummary:
    """Run an interactive self-test; return its :class:`PracticeSummary`.

    ``credit`` is how a part with several right options is credited (an exam spec's
    multiple_answer_credit: all-or-nothing or partial), as ``quizgen grade`` would.

    ``seed`` (an int) makes the session reproducible; without it a fresh six-digit seed
    is drawn (and printed). ``repeat`` (repeat codes) asks exactly those variants, in
    order, instead of a selection (RepeatCodeError for a code that names no template).
    ``out`` defaults to ``sys.stdout`` at call time.
    ``input_fn`` is called like :func:`input` with a prompt; EOFError,
    StopIteration and KeyboardInterrupt from it end the session gracefully.
    """
    if show_solution not in SHOW_SOLUTION:
        raise ValueError(f"show_solution must be one of {', '.join(SHOW_SOLUTION)}, got {show_solution!r}")
    session = _Session(input_fn, out if out is not None else sys.stdout, show_solution, credit)
    summary = PracticeSummary()
    if repeat:
        questions = list(zip(repeat_templates(bank, repeat), (repeatcode.canonical(c) for c in repeat)))
        session.say(f"Practice: {len(questions)} question{'s' if len(questions) != 1 else ''} "
                    "from repeat codes.")
    else:
        pool = practice_pool(bank, topics, difficulty, ids)
        if not pool or n < 1:
            session.say("No questions match that selection" + (f" (topics: {', '.join(topics)})" if topics else "")
                        + ("" if n >= 1 else " (n must be at least 1)") + ".")
            summary.ended = "empty"
            return summary
        summary.entropy = int(seed) if seed is not None else secrets.randbelow(10 ** 6)
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(summary.entropy)))
        order = _pick(rng, len(pool), n)
        seeds = rng.integers(0, repeatcode.SEEDS, size=len(order))
        questions = [(pool[i], repeatcode.encode(pool[i].id, int(s))) for i, s in zip(order, seeds)]
        session.say(f"Practice: {len(order)} question{'s' if len(order) != 1 else ''} "
                    f"from {len(pool)} template{'s' if len(pool) != 1 else ''} (session seed {summary.entropy}: "
                    f"--seed {summary.entropy} repeats it).")
    session.say("Type an answer and Enter. s: worked solution, q: quit, ?: help, empty line: skip.")
    try:
        for number, (template, code) in enumerate(questions, 1):
            try:
                variant = repeatcode.draw(template, code)
            except Exception as exc:  # a broken template skips, the session goes on
                summary.skipped.append(f"{template.id}: {exc}")
                session.say(f"\n(Question {number}: {template.id} could not be drawn and is skipped: {exc})")
                continue
            record = QuestionRecord(template.id, template.title, template.topic, variant, code)
            summary.questions.append(record)
            session.ask_question(template, record, f"Question {number} of {len(questions)}")
            session.say(f"Score so far: {_score(summary.earned, summary.possible)}")
            session.after_question(template, record)
    except _EndSession as end:
        summary.ended = end.how
        session.say(_ENDINGS[end.how])
        _print_summary(session, summary)
        return summary
    summary.ended = "finished"
    _print_summary(session, summary)
    if retry_missed and summary.missed:
        try:
            _retry_rounds(session, summary, bank)
        except _EndSession as end:  # the first pass is complete: its summary stands
            session.say(_ENDINGS[end.how])
    return summary


_ENDINGS = {"quit": "\nYou quit.", "eof": "\nEnd of input.", "interrupt": "\nInterrupted."}


# -- the session -----------------------------------------------------------------------------

class _Session:
    def __init__(self, input_fn, out, show_solution, credit: str = ALL_OR_NOTHING):
        self.input_fn = input_fn
        self.out = out
        self.show_solution = show_solution
        self.credit = credit
        self.style = TermStyle.for_stream(out)

    def grade(self, template, variant, responses) -> QuestionResult:
        return _safe_grade(template, variant, responses, credit_rules(template, variant, self.credit))

    def say(self, text: str = "") -> None:
        try:
            print(text, file=self.out, flush=True)
        except UnicodeEncodeError:  # a terminal that cannot show the math symbols
            encoding = getattr(self.out, "encoding", None) or "ascii"
            print(text.encode(encoding, "replace").decode(encoding), file=self.out, flush=True)

    def say_wrapped(self, text: str, first: str = "  ", rest: str = "    ") -> None:
        """A line of feedback wrapped between words at the session's width."""
        self.say(finish("\n".join(wrap(text, self.style.width, first, rest)), self.style))

    def read(self, prompt: str) -> str:
        """One line from the student; EOF, Ctrl-C and 'q' end the session."""
        try:
            line = self.input_fn(prompt)
        except (EOFError, StopIteration):
            raise _EndSession("eof") from None
        except KeyboardInterrupt:
            raise _EndSession("interrupt") from None
        if line is None:
            raise _EndSession("eof")
        line = str(line)
        if self.out is not sys.stdout and self.input_fn is not builtins.input:
            self.say(prompt + line)  # a transcript of scripted sessions
        if line.strip().lower() in QUIT:
            raise _EndSession("quit")
        return line

    # one question ---------------------------------------------------------------------------

    def ask_question(self, template: Template, record: QuestionRecord, heading: str) -> None:
        variant = record.variant
        self.say("")
        code = f", repeat code {record.code}" if record.code else ""
        self.say(f"── {heading}: {template.title}  [{template.id}, {template.topic}{code}] ──")
        self.say(render(render_stem(template, variant), self.style))
        self.say("")
        record.responses = {}
        for position, part in enumerate(template.parts):
            label = part_label(part)
            for line in part_prompt(part, variant, self.style):
                self.say(line)
            retries = 0
            while True:
                line = self.read(f"  {label} = ")
                command = line.strip().lower()
                if command in HELP:
                    self.say(_HELP)
                    continue
                if command in SOLUTION:
                    if self.show_solution == "never":
                        self.say("  (Worked solutions are turned off in this session.)")
                        continue
                    self.print_solution(template, record)
                    for rest in template.parts[position:]:
                        record.responses.setdefault(rest.name, "")
                    record.result = self.grade(template, variant, record.responses)
                    record.complete = True
                    self.say("  (The rest of this question is skipped; it counts as unanswered.)")
                    return
                record.responses[part.name] = line
                result = self.grade(template, variant, record.responses)
                graded = result.parts[position]
                if graded.status == "invalid" and retries < MAX_RETRIES:
                    retries += 1
                    record.invalid_attempts += 1
                    left = MAX_RETRIES - retries
                    self.say(f"  ? Cannot read that: {graded.feedback}. Try again"
                             f" ({left + 1} {'tries' if left else 'try'} left).")
                    continue
                self.say_wrapped(_verdict(template, part, graded, variant))
                break
        record.result = self.grade(template, variant, record.responses)
        record.complete = True

    def after_question(self, template: Template, record: QuestionRecord) -> None:
        if record.solution_shown or self.show_solution == "never":
            return
        if self.show_solution == "always":
            self.print_solution(template, record)
            return
        line = self.read("  Enter: next question, s: worked solution > ")
        if line.strip().lower() in SOLUTION:
            self.print_solution(template, record)

    def print_solution(self, template: Template, record: QuestionRecord) -> None:
        variant = record.variant
        record.solution_shown = True
        self.say("")
        self.say("  Answers:")
        for part in template.parts:
            label = to_terminal("$" + part.label + "$") if part.label else part.name
            self.say(f"    {label} = {_key_text(part, variant)}")
        self.say("")
        self.say("  Worked solution:")
        try:
            text = render(render_solution(template, variant), self.style, indent="    ")
        except Exception as exc:  # a template's solution text that fails to render
            text = f"    (the worked solution could not be rendered: {exc})"
        self.say(text)


_HELP = ("  Type your answer and press Enter (numbers as 0.731, 7.31e-1, 3/4 or 0,731;\n"
         "  vectors as [0.1, 0.2] or 0.1 0.2; matrices with rows separated by ';').\n"
         "  s: show the worked solution (skips the rest of the question), q: quit,\n"
         "  empty line: skip this part.")


def _pick(rng, size: int, n: int) -> list:
    """``n`` template indices: without repeats while the pool lasts, then a fresh shuffle."""
    order: list = []
    while len(order) < n:
        order += [int(i) for i in rng.permutation(size)][: n - len(order)]
    return order


def _safe_grade(template, variant, responses, credit: dict | None = None) -> QuestionResult:
    """grade(), with any failure on a strange input reported as invalid instead of raised."""
    try:
        return grade(template, variant, responses, credit=credit)
    except InvalidAnswer:
        raise
    except Exception as exc:  # only a parser bug reaches here; the session must not die of it
        from quizgen.bank.marking import PartResult

        result = QuestionResult(template.id)
        for part in template.parts:
            text = str(responses.get(part.name, ""))
            result.parts.append(PartResult(part.name, part.label, "invalid" if text.strip() else "blank",
                                           0.0, part.points, text[:200], "",
                                           feedback=f"could not be read ({type(exc).__name__})"))
        return result


def _key_text(part, variant) -> str:
    if part.kind.graded_by_hand:
        return "(graded by hand)"
    key = part.kind.format(part.kind.from_json(variant.answers[part.name]))
    if part.name in variant.choices:
        key = f"{variant.choices[part.name]['key']}  ({key})"
    return key


def _verdict(template, part, graded, variant) -> str:
    """One line of feedback for a graded part."""
    if graded.status == "correct":
        detail = _how_correct(part, graded, variant)
        return "✓ Correct" + (f" — {detail}" if detail else ".")
    if graded.status == "ecf":
        return "✓ Right from your own earlier answers (error carried forward)."
    if graded.status == "blank":
        return "– Skipped."
    if graded.status == "invalid":
        return f"? Still cannot read that ({graded.feedback}); counted as invalid."
    if graded.status == "partial":
        detail = what_was_wrong(part, graded, variant)
        return f"◐ Partly right ({_fraction(graded.credit)} of the points): {detail or graded.feedback}."
    if graded.mistake:
        return f"✗ Wrong: it looks like {render_inline(graded.feedback, None)}."
    detail = what_was_wrong(part, graded, variant)
    return f"✗ Wrong: {detail}." if detail else "✗ Wrong: not the key."


def what_was_wrong(part, graded, variant) -> str:
    """What the part's kind can say about a wrong answer (too few decimals, which options), or ""."""
    if part.name in variant.choices:  # one letter of a numeric part's options: simply not the key
        return ""
    kind = part.kind
    try:
        return kind.what_is_wrong(graded.response, kind.parse(graded.response),
                                  kind.from_json(variant.answers[part.name]), accepted_interval(part, variant))
    except Exception:  # feedback is a courtesy: a kind that cannot say leaves "not the key"
        return ""


def _fraction(share: float) -> str:
    return str(Fraction(share).limit_denominator(10_000))


def _how_correct(part, graded, variant) -> str:
    """'within tolerance' or 'the hand-calculation key' when the answer is not the exact key."""
    kind = part.kind
    if not kind.numeric or part.name in variant.choices:
        return ""
    try:
        value = kind.parse(graded.response)
        key = kind.from_json(variant.answers[part.name])
        exact = np.asarray(value, float)
        shown = np.asarray(kind.parse(kind.format(key)), float)
        if exact.shape == shown.shape and np.array_equal(exact, shown):
            return ""
        if kind.matches(value, key):
            tol = kind.tolerance
            return f"within tolerance ({tol.describe()}) of {kind.format(key)}." if tol else ""
        return "matches the hand-calculation key (intermediates rounded as the stem asks)."
    except Exception:
        return ""


def _score(earned: float, possible: float) -> str:
    if not possible:
        return "0 of 0"
    return f"{earned:g} of {possible:g} points ({100 * earned / possible:.0f}%)"


def _print_summary(session: _Session, summary: PracticeSummary) -> None:
    session.say("")
    session.say("══ Summary ══")
    counted = summary.counted
    if not counted:
        session.say("No question was completed.")
    else:
        width = max(len(t) for t in [*summary.by_topic, "total"])
        for topic, score in summary.by_topic.items():
            session.say(f"  {topic.ljust(width)}  {score.questions} question{'s' if score.questions != 1 else ' '}"
                        f"  {_score(score.earned, score.possible)}")
        session.say(f"  {'total'.ljust(width)}  {len(counted)} question{'s' if len(counted) != 1 else ' '}"
                    f"  {_score(summary.earned, summary.possible)}")
    unfinished = [q for q in summary.questions if not q.complete]
    if unfinished:
        session.say(f"  (not counted, unfinished: {', '.join(q.template_id for q in unfinished)})")
    if summary.missed:
        session.say("  Missed: " + ", ".join(f"{q.template_id} ({q.code})" if q.code else q.template_id
                                             for q in summary.missed))
        codes = " ".join(f"--repeat {q.code}" for q in summary.missed if q.code)
        if codes:
            session.say(f"  Practise {'it' if codes.count('--repeat') == 1 else 'them'} again later: quizgen practice {codes}")
    if summary.skipped:
        session.say("  Skipped (could not be drawn): " + "; ".join(summary.skipped))


def _retry_rounds(session: _Session, summary: PracticeSummary, bank) -> None:
    """Offer the missed questions again, same numbers, until none is missed or the student declines."""
    missed = summary.missed
    while missed:
        answer = session.read(f"\nRetry the {len(missed)} missed question{'s' if len(missed) != 1 else ''}"
                              " with the same numbers? [y/N] ")
        if answer.strip().lower() not in YES:
            return
        again = []
        for number, old in enumerate(missed, 1):
            template = bank.get(old.template_id)
            record = QuestionRecord(old.template_id, old.title, old.topic, old.variant, old.code)
            summary.retries.append(record)
            session.ask_question(template, record, f"Retry {number} of {len(missed)}")
            session.after_question(template, record)
            if not record.full_marks:
                again.append(record)
        earned = sum(r.earned for r in summary.retries[-len(missed):])
        possible = sum(r.possible for r in summary.retries[-len(missed):])
        session.say(f"\nRetry round: {_score(earned, possible)}.")
        missed = again
    session.say("Every missed question is now right. Well done.")
