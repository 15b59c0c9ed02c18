"""What an exported Moodle question must be once Moodle has imported it, checked against quizgen's own
variant: the import takes it; its key is Moodle's right answer and Moodle accepts exactly what
``quizgen grade`` accepts (every answer of the stem's decimals inside the accepted interval, nothing
outside it; a part with several right options scored by the section's rule); its mark is the
question's points; numbers are written at the stem's precision; named mistakes carry their feedback;
an essay's rubric is for the marker only.

Each finding is ``(what, message)``, ``what`` one of "import", "key", "mark", "precision", "feedback",
"rubric"; :func:`problems` lists them for one written question and the variant it was drawn as.
"""

from __future__ import annotations

import html
import itertools
import math
import re
from fractions import Fraction

from quizgen.bank.kinds import ALL_OR_NOTHING, LETTERS
from quizgen.bank.question import accepted_interval, mistake_interval
from quizgen.export.common import answer_key, blank_count, html_with_tex, stem_and_options, tex_delimited
from tests.quizgen.export import moodle_import as moodle


def problems(question: moodle.Question, item, variant) -> list:
    """What is wrong with ``question`` (imported by Moodle's rules) as variant ``variant`` of ``item``."""
    found = [("import", e) for e in question.errors]
    if found:
        return found
    template = item.template
    points = [Fraction(repr(float(p))) for p in item.points]
    if question.qtype == "multianswer":
        if moodle.LEFT_OVER_BLANK.search(question.text):
            found.append(("import", "a blank the cloze syntax did not take is left in the text"))
        subs = iter(question.subquestions)
        weights = []
        for part in template.parts:
            n = blank_count(part, variant) if _embeddable(part, variant) else 0
            blanks = [next(subs, None) for _ in range(n)]
            if any(b is None for b in blanks):
                return found + [("import", f"part {part.name}: fewer blanks than {n}")]
            weights.append(sum(b.mark for b in blanks))
            found += _part_problems(blanks, part, item, variant)
        if next(subs, None) is not None:
            found.append(("import", "more blanks than the parts have"))
        total = sum(points)
        if question.mark != total:
            found.append(("mark", f"Moodle's mark {question.mark:g} for {float(total):g} points"))
        shares = [Fraction(int(w)) / int(question.mark) for w in weights]
        if [s for s, p in zip(shares, points) if p] != [p / total for p in points if p]:
            found.append(("mark", f"parts weighted {weights}, quizgen's points {[float(p) for p in points]}"))
        return found
    if question.mark != sum(points):
        found.append(("mark", f"Moodle's mark {question.mark:g} for {float(sum(points)):g} points"))
    (part,) = template.parts
    if question.qtype == "essay":
        return found + _essay_problems(question, part)
    return found + _part_problems([question], part, item, variant)


def _embeddable(part, variant) -> bool:
    return bool(variant.choices.get(part.name)) or part.kind.answer_form in ("numbers", "options", "formula")


def _part_problems(blanks: list, part, item, variant) -> list:
    kind = part.kind
    choice = variant.choices.get(part.name)
    if choice:
        return _choice_form_problems(blanks[0], part, item, variant, choice)
    if kind.answer_form == "numbers":
        return _number_problems(blanks, part, item, variant)
    if kind.answer_form == "options":
        return _options_problems(blanks[0], part, item, variant)
    if kind.answer_form == "formula":
        key = kind.format(answer_key(part, variant))
        if moodle.shortanswer_fraction(blanks[0], key) != 1:
            return [("key", f"part {part.name}: the formula key {key!r} is not accepted")]
    return []


def _mistake_html(template, name) -> str:
    return html_with_tex(template.mistakes.get(name, name), inline=True)


def _choice_form_problems(q, part, item, variant, choice) -> list:
    kind, found = part.kind, []
    key = LETTERS.index(choice["key"])
    if q.qtype != "multichoice" or len(q.answers) != len(choice["options"]):
        return [("key", f"part {part.name}: not the choice of {len(choice['options'])} options")]
    for i, (option, mistake) in enumerate(zip(choice["options"], choice["mistakes"])):
        value = kind.from_json(option)
        text = html.escape(kind.format(value), quote=False)  # as text (a cloze blank) or as TeX
        answer = q.answers[i]
        if html.unescape(answer.text) not in (html.unescape(text), tex_delimited(kind.tex(value))) \
                or moodle.multichoice_fraction(q, [i]) != (i == key):
            found.append(("key", f"part {part.name}: option {i} is {answer.text!r} at {answer.fraction}, "
                                 f"not {text!r} at {int(i == key)}"))
        if mistake and i != key and answer.feedback != _mistake_html(item.template, mistake):
            found.append(("feedback", f"part {part.name}: option {i} lacks the feedback of {mistake!r}"))
    return found


def _options_problems(q, part, item, variant) -> list:
    kind, found = part.kind, []
    key = answer_key(part, variant)
    labels, correct = kind.choice_options(key)
    rule = item.credit if kind.credit_rules_apply else ALL_OR_NOTHING
    letters = LETTERS[: len(labels)]
    option = list(range(len(labels)))  # Moodle's answer i is option option[i] of the variant
    _, cut = stem_and_options(item.template, variant)
    if cut is not None and q.qtype == "multichoice":  # options cut from the stem, in Moodle's own order
        texts = [html_with_tex(o, inline=True) for o in cut]
        if sorted(a.text for a in q.answers) != sorted(texts):
            return [("key", f"part {part.name}: the options are not the variant's")]
        option = [texts.index(a.text) for a in q.answers]
    for size in range(1, len(labels) + 1):
        for chosen in itertools.combinations(range(len(labels)), size):
            value = frozenset(letters[option[i]] for i in chosen) if kind.credit_rules_apply else \
                kind.parse(labels[option[chosen[0]]]) if size == 1 else None
            if value is None:
                continue
            want = kind.credit(value, key, rule)
            if q.qtype == "shortanswer":
                got = [moodle.shortanswer_fraction(q, t) for t in _spellings(value)]
            elif q.qtype == "multichoice" and (not q.single or size == 1):
                got = [moodle.multichoice_fraction(q, list(chosen))]
            elif q.qtype == "truefalse":
                got = [1.0 if _truefalse_right(q, value) else 0.0]
            else:
                continue
            if any(not moodle.is_close(g, want) for g in got):
                found.append(("key", f"part {part.name}: choosing {sorted(value) if isinstance(value, frozenset) else value}"
                                     f" scores {got} in Moodle, {want} in quizgen ({rule})"))
    return found


def _spellings(letters) -> list:
    ordered = sorted(letters)
    return ["".join(ordered), ", ".join(ordered), " ".join(reversed(ordered)), ",".join(reversed(ordered))]


def _truefalse_right(q, value) -> bool:
    chosen = "true" if value else "false"
    return any(a.text == chosen and a.fraction == 1 for a in q.answers)


def _decimals_of(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _number_problems(blanks: list, part, item, variant) -> list:
    kind, found = part.kind, []
    key = answer_key(part, variant)
    interval = accepted_interval(part, variant)
    decimals = getattr(kind, "decimals", None)
    keys = kind.blank_keys(key, interval)  # quizgen's accepted interval per blank, as (value, tolerance)
    exact = kind.blank_key_texts(key, None)
    if len(keys) != len(blanks):
        return [("key", f"part {part.name}: {len(blanks)} blanks for {len(keys)} numbers")]
    for i, (q, pairs) in enumerate(zip(blanks, keys)):
        if q.qtype != "numerical":
            found.append(("key", f"part {part.name} blank {i}: a {q.qtype}, not a number"))
            continue
        lo, hi = min(v - t for v, t in pairs), max(v + t for v, t in pairs)
        value = float(exact[i][0][0])
        if moodle.numerical_fraction(q, pairs[0][0]) != 1:
            found.append(("key", f"part {part.name} blank {i}: the key {pairs[0][0]!r} is not accepted"))
        slack = 1e-12 * max(1.0, abs(lo), abs(hi))
        for answer in q.answers:
            low, high = moodle.tolerance_interval(answer)
            if answer.fraction > 0 and (low < lo - slack or high > hi + slack):
                found.append(("key", f"part {part.name} blank {i}: {answer.text}:{answer.tolerance} accepts "
                                     f"[{low!r}, {high!r}] beyond the accepted [{lo!r}, {hi!r}]"))
            if "e" in answer.text.lower() or (decimals is not None and
                                              _decimals_of(answer.text) > decimals + 2):
                found.append(("precision", f"part {part.name} blank {i}: the answer written {answer.text!r}"))
            if decimals is not None and _decimals_of(repr(answer.tolerance).rstrip("0")) > decimals + 2 \
                    and answer.tolerance != 0:
                found.append(("precision", f"part {part.name} blank {i}: the tolerance {answer.tolerance!r}"))
        if decimals is not None and hi > lo:
            for unit in range(math.ceil(lo * 10 ** decimals - 1e-9), math.floor(hi * 10 ** decimals + 1e-9) + 1):
                typed = float(f"{unit / 10 ** decimals:.{decimals}f}")
                if lo <= typed <= hi and moodle.numerical_fraction(q, typed) != 1:
                    found.append(("key", f"part {part.name} blank {i}: {typed} is accepted by quizgen, "
                                         "not by Moodle"))
            shown = f"{value:.{decimals}f}"
            if q.answers and q.answers[0].text.lstrip("-") != shown.lstrip("-"):
                found.append(("precision", f"part {part.name} blank {i}: the key shown {q.answers[0].text!r}, "
                                           f"not {shown!r}"))
        if not kind.exact:
            for name, answers in variant.mistakes.items():
                if part.name not in answers:
                    continue
                wrong = float(kind.blank_key_texts(kind.from_json(answers[part.name]), None)[i][0][0])
                if lo <= wrong <= hi:
                    continue
                matched = moodle.numerical_answer(q, wrong)
                # mistakes whose numbers a student cannot tell apart (their intervals meet): Moodle shows
                # the first one's feedback
                same = {_mistake_html(item.template, other) for other, theirs in variant.mistakes.items()
                        if part.name in theirs and _in_interval(kind, theirs[part.name],
                                                                mistake_interval(part, variant, other), i, wrong)}
                if matched is None or matched.fraction != 0 or matched.feedback not in same:
                    found.append(("feedback", f"part {part.name} blank {i}: {wrong} ({name}) gets no feedback "
                                              "naming the mistake"))
    return found


def _in_interval(kind, value, interval, blank: int, number: float) -> bool:
    pairs = kind.blank_keys(kind.from_json(value), interval)[blank]
    return min(v - t for v, t in pairs) <= number <= max(v + t for v, t in pairs)


def _essay_problems(q, part) -> list:
    found = []
    for point in part.kind.rubric:
        written = html_with_tex(point, inline=True)
        if written not in q.graderinfo:
            found.append(("rubric", f"grader information lacks {point!r}"))
        if written in q.generalfeedback or re.sub(r"<[^>]+>", "", written) in q.generalfeedback:
            found.append(("rubric", f"the general feedback, shown to students, repeats {point!r}"))
    return found
