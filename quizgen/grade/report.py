"""``quizgen report``: item analysis of the latest grading run, as HTML (inline SVG) or JSON.

Items are the answer blanks (parts); questions are their sums. For each:
difficulty (mean proportion of points), discrimination (upper minus lower
27 %), the corrected point-biserial (item-rest) correlation, invalid and blank
rates, how often each named mistake and each option was chosen, and, per
template parameter with few values (T, stride, ...), the mean proportion by
value. Reliability: Cronbach's alpha over the blanks, and KR-20 when every
blank is scored 0/1. Manual overrides count as the score. Essays no override has marked yet are
listed whole, each with the student and blank an override names, and score 0 in the statistics
until they are marked.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from quizgen.grade import charts, stats
from quizgen.errors import InputError
from quizgen.files import write_atomic
from quizgen.grade.gradebook import STATUS_LETTERS, STATUS_NAMES, graded_gradebook
from quizgen.grade.run import SCORE_DECIMALS, run_scores
from quizgen.builddir import BuildDir, without_cycle_collection

MAX_GROUPS = 8
DECIMALS = 4  # every figure in report.json; the page shows two


def _scalar_params(params: dict) -> dict:
    return {k: v for k, v in params.items()
            if isinstance(v, (int, float, str)) and not isinstance(v, bool) and len(str(v)) <= 20}


def analyse(build_dir, banks=()) -> dict:
    """The item analysis as plain data (what --json prints).

    Read from the grading key (students, columns, templates, choice forms), the run's packed
    rows in the gradebook (scores with overrides, statuses, responses, mistakes) and each
    student's params alone from the manifest, never the manifest whole.
    """
    with BuildDir(build_dir, banks) as build:
        return _analyse(build)


def _analyse(build: BuildDir) -> dict:
    build_dir = build.path
    key = build.key()
    columns = key.columns
    with graded_gradebook(build_dir, reading=True) as book:
        run = book.latest_run()
        run_columns, earned = book.earned(run["id"])
        run_totals = run_scores(key, book, run["id"]).totals  # as grades.csv and the terminal have them
        typed = responses_and_mistakes(book, run["id"], run_columns)
    position = {c: k for k, c in enumerate(run_columns)}
    graded = [i for i, (sid, _) in enumerate(key.students) if sid in earned and earned[sid][0].strip("m")]
    if not graded:
        raise InputError(Path(build_dir) / "gradebook.sqlite", "no student has a submission in the latest run")
    bank = build.bank()
    first = graded[0]
    points, meta_of = {}, {}  # column -> (question number, template id, part name), as the first graded student has
    letters_at = {c: np.zeros(len(key.students), bool) for c in columns}  # a letter was asked for
    for g in key.groups:
        at = int(np.searchsorted(g.rows, first))
        if at < len(g.rows) and g.rows[at] == first:
            points[g.column] = float(g.points[at])
            meta_of[g.column] = (key.question_of[g.column], g.template_id, g.part)
        kind = bank.get(g.template_id).part(g.part).kind
        letters_at[g.column][g.rows] = g.mode == "choice" or kind.answered_with_letters
    scores = np.zeros((len(graded), len(columns)))
    status_counts = {c: Counter() for c in columns}
    mistakes = {c: Counter() for c in columns}
    chosen = {c: Counter() for c in columns}
    params_by_col = {c: [] for c in columns}
    columns_of: dict = {}  # question number -> its columns
    for c in columns:
        columns_of.setdefault(key.question_of[c], []).append(c)
    for row, i in enumerate(graded):
        sid = key.students[i][0]
        letters, values, _ = earned[sid]
        responses, noted = typed.get(sid, ({}, {}))
        for j, c in enumerate(columns):
            k = position.get(c)
            status = STATUS_NAMES[letters[k]] if k is not None else "missing"
            scores[row, j] = values[k] if k is not None else 0.0
            status_counts[c][status] += 1
            if noted.get(c):
                mistakes[c][noted[c]] += 1
            if letters_at[c][i]:
                chosen[c][(responses.get(c) or "").strip().upper() or stats.BLANK] += 1
        for number, its_columns in columns_of.items():
            scalar = _scalar_params(build.params(i, number - 1))
            for c in its_columns:
                params_by_col[c].append(scalar)
    max_points = np.array([points[c] for c in columns])
    totals = run_totals[graded]
    diff = stats.difficulty(scores, max_points)
    disc = stats.discrimination_index(scores, max_points, totals)
    pbis = stats.point_biserial(scores, totals, corrected=True)
    flagged = set(stats.flag_items(disc, pbis))
    binary = bool(np.all(np.isin(scores / np.where(max_points == 0, 1, max_points), (0.0, 1.0))))
    items = []
    for j, c in enumerate(columns):
        number, template_id, part_name = meta_of[c]
        by_param = _by_parameter(scores[:, j], max_points[j], params_by_col[c])
        n = len(graded)
        items.append({
            "column": c, "question": number, "template": template_id, "part": part_name,
            "points": float(max_points[j]), "difficulty": _num(diff[j]), "discrimination": _num(disc[j]),
            "point_biserial": _num(pbis[j]), "flagged": j in flagged,
            "invalid_rate": status_counts[c]["invalid"] / n, "blank_rate": status_counts[c]["blank"] / n,
            "ecf": status_counts[c]["ecf"], "statuses": dict(status_counts[c]),
            "mistakes": dict(mistakes[c].most_common()), "choices": dict(chosen[c].most_common()),
            "by_parameter": by_param,
        })
    questions = defaultdict(list)
    for j, c in enumerate(columns):
        questions[meta_of[c][0]].append(j)
    q_scores = np.stack([scores[:, js].sum(axis=1) for js in questions.values()], axis=1)
    q_max = np.array([max_points[js].sum() for js in questions.values()])
    q_diff = stats.difficulty(q_scores, q_max)
    q_disc = stats.discrimination_index(q_scores, q_max, totals)
    q_pbis = stats.point_biserial(q_scores, totals, corrected=True)
    per_question = [{"question": number, "template": meta_of[columns[js[0]]][1], "points": float(q_max[k]),
                     "difficulty": _num(q_diff[k]), "discrimination": _num(q_disc[k]),
                     "point_biserial": _num(q_pbis[k]), "flagged": bool(q_disc[k] < 0 or q_pbis[k] < 0),
                     "by_parameter": _by_parameter(q_scores[:, k], q_max[k], params_by_col[columns[js[0]]])}
                    for k, (number, js) in enumerate(questions.items())]
    to_mark = essays_to_mark(key, graded, earned, position, typed)
    possible = round(float(max_points.sum()), SCORE_DECIMALS)  # rounded once, as the totals and grades.csv's
    # bins of a width people read (5 points, not 3.8), as many as a class of this size fills
    edges = stats.nice_edges(possible, min(20, max(5, len(graded) // 3)))
    counts, edges = stats.histogram(totals, edges, max_total=possible)
    summary = stats.describe(totals)
    return _rounded({
        "exam_id": key.exam_id, "run": run["id"], "students": len(graded),
        "not_submitted": len(key.students) - len(graded), "possible": possible,
        "summary": {k: v if k == "n" else _num(v) if not isinstance(v, tuple) else [_num(x) for x in v]
                    for k, v in summary.items()},
        "cronbach_alpha": _num(stats.cronbach_alpha(scores)) if len(columns) > 1 else None,
        "kr20": _num(stats.kr20(scores / max_points)) if binary and len(columns) > 1 else None,
        "histogram": {"counts": [int(x) for x in counts], "edges": [float(x) for x in edges]},
        "questions": per_question, "items": items,
        "flagged": [it["column"] for it in items if it["flagged"]],
        "essays_to_mark": to_mark,
    })


def _by_parameter(scores: np.ndarray, max_point: float, params: list) -> dict:
    """Parameter name -> value -> {n, mean}: the share of the points by each value of a parameter
    with 2 to MAX_GROUPS values that every student's variant has."""
    out = {}
    for name in sorted({k for d in params for k in d}):
        groups = [d.get(name) for d in params]
        values = {g for g in groups if g is not None}
        if 2 <= len(values) <= MAX_GROUPS and None not in groups:
            out[name] = {str(k): v for k, v in stats.breakdown(scores, max_point, groups).items()}
    return out


def _rounded(data):
    """``data`` with every float rounded to DECIMALS (11.4, never 11.399999999999999): the
    figures a person reads in report.json."""
    if isinstance(data, float):
        return round(data, DECIMALS)
    if isinstance(data, dict):
        return {k: _rounded(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_rounded(v) for v in data]
    return data


def essays_to_mark(key, graded: list, earned: dict, position: dict, typed: dict) -> list:
    """Each essay (status to_mark) that no override has marked yet: the student, the blank, its
    points and the whole text, in roster order."""
    letter = STATUS_LETTERS["to_mark"]
    out = []
    for i in graded:
        sid, name = key.students[i]
        letters, _, overridden = earned[sid]
        waiting = [c for c, k in position.items() if letters[k] == letter and c not in overridden]
        if waiting:
            points = key.points_of(i)
            responses = typed.get(sid, ({}, {}))[0]
            out += [{"student": sid, "name": name, "column": c, "points": points.get(c),
                     "response": responses.get(c) or ""} for c in waiting]
    return out


def responses_and_mistakes(book, run_id: int, columns: list) -> dict:
    """student -> (column -> response, column -> the named mistake) of a run."""
    out = {}
    if not columns:  # a run stored by schema 1
        for row in book.scores(run_id):
            responses, noted = out.setdefault(row["student_id"], ({}, {}))
            responses[row["column_name"]], noted[row["column_name"]] = row["response"], row["mistake"]
        return out
    for student, _, _, _, _, responses, notes in book.packed(run_id):
        out[student] = (dict(zip(columns, responses)), {c: note[0] for c, note in notes.items()})
    return out


def _num(x):
    x = float(x)
    return None if np.isnan(x) else round(x, DECIMALS)


def plots(data: dict) -> dict:
    """The report page's inline SVG plots of :func:`analyse`'s data: ``histogram``, ``scatter``
    (difficulty against discrimination per blank) and ``parameters`` (a list of (question, svg),
    one bar chart per question and parameter that varied)."""
    hist = data["histogram"]
    points = [{"label": it["column"], "difficulty": it["difficulty"], "discrimination": it["discrimination"],
               "flagged": it["flagged"]} for it in data["items"]]
    parameters = [(q, charts.bars_svg(f"Q{q['question']}: {name}", groups, q["difficulty"]))
                  for q in data["questions"] for name, groups in q["by_parameter"].items()]
    return {"histogram": charts.histogram_svg(hist["counts"], hist["edges"], data["summary"]["mean"]),
            "scatter": charts.scatter_svg(points), "parameters": parameters}


def write_report(build_dir, out=None, as_json: bool = False, banks=()) -> Path:
    with without_cycle_collection():
        data = analyse(build_dir, banks)
    build_dir = Path(build_dir)
    if as_json:
        path = Path(out) if out else build_dir / "report.json"
        write_atomic(path, json.dumps(data, indent=1, sort_keys=True))
        return path
    from quizgen.papers.render import environment, stylesheet

    html = environment().get_template("report.html.j2").render(
        r=data, exam=BuildDir(build_dir).exam_meta(), css=stylesheet(), plots=plots(data))
    path = Path(out) if out else build_dir / "report.html"
    write_atomic(path, html)
    return path
