"""One variant as a person reads it in a terminal, or as JSON for other tools."""

from __future__ import annotations

from quizgen.bank.kinds import LETTERS
from quizgen.bank.question import Template, Variant, accepted_interval
from quizgen.bank.texts import render_solution, render_stem
from quizgen.practice.termmath import to_terminal
from quizgen.practice.termtext import PLAIN, TermStyle, render, wrap


def variant_json(template: Template, variant: Variant) -> dict:
    """Params (named as the reference_impl arguments they feed), answers, steps, texts."""
    return {
        "id": template.id,
        "title": template.title,
        "topic": template.topic,
        "version": template.version,
        "seed": variant.seed,
        "parts": [{"name": p.name, "label": p.label, "kind": p.kind.name, "points": p.points}
                  for p in template.parts],
        "params": variant.params,
        "answers": variant.answers,
        "hand_answers": variant.hand_answers,
        "accepted": {p.name: accepted_text(p, variant) for p in template.parts if accepted_text(p, variant)},
        "intervals": {p.name: accepted_interval(p, variant) for p in template.parts
                      if accepted_interval(p, variant) is not None},
        "steps": variant.steps,
        "mistakes": {name: {"description": template.mistakes[name], "answers": answers}
                     for name, answers in variant.mistakes.items()},
        "choices": variant.choices,
        "stem": render_stem(template, variant),
        "solution": render_solution(template, variant),
    }


def accepted_text(part, variant) -> str:
    """"18.4626 to 18.4646": the answers accepted for a part, as its kind writes an interval ("" for
    a kind compared exactly, or a part offered as letters)."""
    interval = None if part.name in variant.choices else accepted_interval(part, variant)
    return part.kind.interval_text(interval) if interval is not None else ""


def part_label(part) -> str:
    """A part's label as math in the terminal (h_t as hₜ); its name if it has no label."""
    return to_terminal("$" + part.label + "$") if part.label else part.name


def part_prompt(part, variant: Variant, style: TermStyle = PLAIN) -> list:
    """The lines telling what to type for a part: its label, the kind, the points, any options."""
    choice = variant.choices.get(part.name)
    how = "one letter" if choice else part.kind.describe()
    lines = wrap(f"{part_label(part)}: {how}  ({part.points:g} pt{'s' if part.points != 1 else ''})",
                 style.width, "  ", "      ")
    if choice:
        for letter, option in zip(LETTERS, choice["options"]):
            lines += wrap(part.kind.format(part.kind.from_json(option)), style.width, f"      {letter}. ", " " * 9)
    return lines


def variant_text(template: Template, variant: Variant, solution: bool = True, style: TermStyle = PLAIN,
                 code: str | None = None) -> str:
    """The stem, what to type for each part, the key and the worked solution, in Unicode: the
    Markdown's emphasis as ``style`` has it, wrapped at its width between words. ``code``, the
    variant's repeat code, is named in the heading."""
    drawn = ", ".join([f"seed {variant.seed}"] * (variant.seed != code) + [f"repeat code {code}"] * bool(code))
    lines = [f"{template.title}  [{template.id} v{template.version}, {drawn}]", "",
             render(render_stem(template, variant), style), ""]
    for part in template.parts:
        lines += part_prompt(part, variant, style)
    if solution:
        lines += ["", "Answers:"]
        for part in template.parts:
            key = part.kind.format(part.kind.from_json(variant.answers[part.name]))
            if part.name in variant.choices:
                key = f"{variant.choices[part.name]['key']}  ({key})"
            accepted = accepted_text(part, variant)
            lines.append(f"  {part_label(part)} = {key}" + (f"  (accepted {accepted})" if accepted else ""))
        lines += ["", "Worked solution:", render(render_solution(template, variant), style)]
    return "\n".join(lines)
