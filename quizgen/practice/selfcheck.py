"""A self-checking study page: one offline HTML file that grades typed answers in the browser.

:func:`write_selfcheck` draws, for every selected template, a pool of variants
and writes them into one HTML file with inline CSS and JavaScript, MathML math
and the embedded math font (no network access at all). For each question the
student types answers, presses *Check* and reads a verdict per part; *Show
solution* reveals the keys and the worked solution, *New variant* moves on to
the next draw of the pool.

The page is a study aid: every key is inside it (the page says so at the top).

Grading in the browser (``templates/answerkinds.js``, the page in ``templates/selfcheck.js``) ports the answer kinds of
:mod:`quizgen.bank.kinds`: the same parsers (numbers with ``3/4``, ``7.31e-1``,
``7.31 x 10^-1``, ``73.1%``, a decimal comma, Unicode minus; vectors, matrices,
shapes, choice letters, true/false), the same reasons for an invalid answer,
the same tolerances (absolute, relative, significant figures), the exact key or
the hand-calculation key, the named mistakes, and a multiple-answer part's credit
rule (``credit``: all-or-nothing, or partial per option as
:meth:`quizgen.bank.kinds.Choice.credit` scores it). Symbolic answers are parsed by
a port of :mod:`quizgen.bank.symbolic`'s whitelisting grammar and evaluated at the
sample points :func:`quizgen.bank.symbolic.equivalent` uses; the key's (and each
mistake's) values at those points are computed with sympy and embedded. What the
JavaScript reads of each part's kind comes from the kind itself
(:meth:`~quizgen.bank.kinds.AnswerKind.js_spec`, ``js_answer``).
Where fewer than three points can be compared the page falls back to an exact
match after removing whitespace. What the browser does *not* do: error carried
forward (it would need the template's Python ``solve``), and sympy's
``simplify`` fallback. Essay questions (graded by hand) are left out.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import numpy as np

from quizgen.bank.kinds import ALL_OR_NOTHING
from quizgen.bank.marking import credit_rules
from quizgen.bank.question import Template, Variant, accepted_interval, mistake_interval
from quizgen.papers.render import math_characters, math_font_css, page_script, templates_dir
from quizgen.papers.richtext import math_html, to_html
from quizgen.bank.texts import render_solution, render_stem

DATA_ID = "quizgen-data"
_PLAIN_LABEL = re.compile(r"\(?[a-z]\)?|[A-Za-z][a-z ]+|\d+")


@dataclass
class SelfcheckReport:
    path: Path
    templates: int = 0
    variants: int = 0
    bytes: int = 0
    seconds: float = 0.0
    skipped: list = field(default_factory=list)   # "template id: reason"
    kinds: list = field(default_factory=list)     # answer kinds on the page


def _label_html(template: Template, part) -> str:
    if not part.label:
        return html.escape(part.name)
    if "concept" in template.tags or _PLAIN_LABEL.fullmatch(part.label):
        return html.escape(part.label)
    try:
        return math_html(part.label, "mathml")
    except Exception:
        return html.escape(part.label)


def variant_data(template: Template, variant: Variant) -> dict:
    """One variant as the page embeds it: stem and solution HTML and, per part, keys and mistakes."""
    parts = {}
    for part in template.parts:
        kind = part.kind
        key = kind.from_json(variant.answers[part.name])
        entry = {
            "key": kind.js_answer(variant.answers[part.name]),
            "hand": kind.js_answer(variant.hand_answers[part.name]),
            "key_text": kind.format(key),
            # the interval quizgen grade accepts (None: compared exactly), and each mistake's
            "interval": accepted_interval(part, variant),
            "mistakes": [{"name": name, **kind.js_answer(answers[part.name]),
                          "interval": mistake_interval(part, variant, name)}
                         for name, answers in variant.mistakes.items() if part.name in answers],
            "choice": None,
        }
        choice = variant.choices.get(part.name)
        if choice:
            entry["choice"] = {
                "options": choice["options"], "mistakes": choice["mistakes"], "key": choice["key"],
                "options_html": [math_html(kind.tex(kind.from_json(o)), "mathml") for o in choice["options"]],
            }
            entry["key_text"] = f"{choice['key']} ({entry['key_text']})"
        parts[part.name] = entry
    return {
        "seed": variant.seed,
        "stem": to_html(render_stem(template, variant), "mathml"),
        "solution": to_html(render_solution(template, variant), "mathml"),
        "parts": parts,
    }


def variant_rng(seed: int, template: Template, index: int) -> np.random.Generator:
    """A generator per (seed, template, pool index): a template's pool does not depend on the selection."""
    digest = hashlib.sha256(f"selfcheck|{seed}|{template.id}|{template.version}|{index}".encode()).digest()
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int.from_bytes(digest, "big"))))


def selfcheck_data(bank, topics=(), variants: int = 5, seed: int = 0, difficulty=None, ids=(),
                   credit: str = ALL_OR_NOTHING) -> tuple:
    """The page's data (templates with their variant pools) and the list of skipped templates;
    ``credit`` is the multiple_answer_credit rule of the parts with several right options."""
    if variants < 1:
        raise ValueError("variants must be at least 1")
    questions, skipped = [], []
    for template in bank.select(topics=topics, ids=ids, difficulty=difficulty):
        if any(p.kind.graded_by_hand for p in template.parts):
            skipped.append(f"{template.id}: essay answers are graded by hand")
            continue
        try:
            specs = [p.kind.js_spec() for p in template.parts]
            pool = [variant_data(template, template.draw(variant_rng(seed, template, k), f"selfcheck-{seed}-{k}"))
                    for k in range(variants)]
        except Exception as exc:  # one broken template must not lose the page
            skipped.append(f"{template.id}: {type(exc).__name__}: {exc}")
            continue
        rules = credit_rules(template, None, credit)
        questions.append({
            "id": template.id, "title": template.title, "topic": template.topic,
            "version": template.version, "difficulty": template.difficulty,
            "title_html": to_html(template.title, "mathml", inline=True),
            "mistakes": {name: to_html(text, "mathml", inline=True) for name, text in template.mistakes.items()},
            "parts": [{"name": p.name, "label": _label_html(template, p), "points": p.points, **spec,
                       "credit": rules.get(p.name, ALL_OR_NOTHING)}
                      for p, spec in zip(template.parts, specs)],
            "variants": pool,
        })
    from quizgen.bank.symbolic import SAMPLE_POINTS  # here, not at the top: it loads sympy

    return {"format": 1, "seed": seed, "points": list(SAMPLE_POINTS), "questions": questions}, skipped


def embed_json(data) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>`` can end it early)."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def read_embedded(page: str) -> dict:
    """The data embedded in a written page (for tests and tools)."""
    m = re.search(r'<script type="application/json" id="' + DATA_ID + r'">(.*?)</script>', page, re.S)
    if m is None:
        raise ValueError("no embedded quizgen data in this page")
    return json.loads(m.group(1))


def _html_fragments(data) -> str:
    chunks = []
    for q in data["questions"]:
        chunks.append(q["title_html"])
        chunks.extend(q["mistakes"].values())
        chunks.extend(p["label"] for p in q["parts"])
        for v in q["variants"]:
            chunks += [v["stem"], v["solution"]]
            for entry in v["parts"].values():
                if entry["choice"]:
                    chunks.extend(entry["choice"]["options_html"])
    return "\n".join(chunks)


def render_selfcheck(data: dict, title: str = "quizgen self-check") -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    folder = templates_dir()
    topics = sorted({q["topic"] for q in data["questions"]})
    return env.get_template("selfcheck.html.j2").render(
        title=title, data_id=DATA_ID, data_json=jinja2.utils.markupsafe.Markup(embed_json(data)),
        font_css=math_font_css(math_characters(_html_fragments(data))),
        css=(folder / "selfcheck.css").read_text(encoding="utf-8"),
        js=page_script("answerkinds.js", "selfcheck.js"),
        topics=topics, n_questions=len(data["questions"]),
        n_variants=max((len(q["variants"]) for q in data["questions"]), default=0))


def write_selfcheck(bank, out_path, topics=(), variants: int = 5, seed: int = 0, difficulty=None,
                    ids=(), title: str = "quizgen self-check", credit: str = ALL_OR_NOTHING) -> SelfcheckReport:
    """Write the self-checking page for the selection to ``out_path``; return what was written."""
    start = time.perf_counter()
    data, skipped = selfcheck_data(bank, topics, variants, seed, difficulty, ids, credit)
    page = render_selfcheck(data, title)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(page, encoding="utf-8")
    kinds = sorted({p["kind"] for q in data["questions"] for p in q["parts"]})
    return SelfcheckReport(path=out_path, templates=len(data["questions"]),
                           variants=sum(len(q["variants"]) for q in data["questions"]),
                           bytes=len(page.encode("utf-8")), seconds=time.perf_counter() - start,
                           skipped=skipped, kinds=kinds)
