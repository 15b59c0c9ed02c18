"""The quizgen command line. Thin: it parses options and calls the library."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from quizgen import __version__
from quizgen.errors import (DEBUG_VARIABLE, EXIT_ATTENTION, EXIT_CRASH, EXIT_INTERRUPTED, EXIT_REFUSED,
    EXIT_STATUSES, InputError)
from quizgen.workers import DEFAULT_JOBS


def _bank_option(fn):
    return click.option("--bank", "banks", multiple=True, type=click.Path(file_okay=False),
                        help="An extra folder of templates (repeatable). A build folder's own list is never "
                             "loaded: give the exam's banks here.")(fn)


def _check_secret_option(fn):
    return click.option("--secret-file", type=click.Path(dir_okay=False),
                        help="The exam secret: prove manifest.json is the one the build wrote (its HMAC) "
                             "before grading. Without it, what can be checked without it is.")(fn)


def _load(banks):
    from quizgen.bank.loader import load_bank

    bank = load_bank(banks)
    for error in bank.errors:
        click.secho(f"warning: template not loaded: {error}", fg="yellow", err=True)
    return bank


def _fail(exc) -> None:
    """A user error: one clear line naming the file (and row), no traceback, exit status 2."""
    click.secho(f"error: {exc}", fg="red", err=True)
    sys.exit(EXIT_REFUSED)


class _Commands(click.Group):
    """The command group: a user's file refused anywhere below (an InputError) is one line naming
    the file, without a traceback, and exit status 2; a refusal click words (ClickException) is 2
    too; anything else is a crash, status 3, so that a script never reads a bug as "needs
    attention" (1)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            _fail(exc)
        except click.ClickException as exc:
            if exc.exit_code == 1:  # click's default status is "needs attention"'s
                exc.exit_code = EXIT_REFUSED
            raise
        except (click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.secho("interrupted", fg="red", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            click.secho(f"quizgen crashed: {type(exc).__name__}: {exc}\nThis is a bug in quizgen, not in your "
                        f"files: please report it with the command you ran ({DEBUG_VARIABLE}=1 shows the "
                        "traceback).", fg="red", err=True)
            sys.exit(EXIT_CRASH)


def _paper(ctx, param, name):
    """--paper as the library knows paper sizes (quizgen.papers.spec.PAPERS)."""
    from quizgen.papers.spec import PAPERS

    if name is not None and name.lower() not in PAPERS:
        raise click.BadParameter(f"{name!r}: use {' or '.join(PAPERS)}")
    return name.lower() if name is not None else None


def _page_formats(ctx, param, text: str) -> tuple:
    """A --format/--feedback option's text as the library reads it (quizgen.papers.render)."""
    from quizgen.papers.render import parse_formats

    try:
        return parse_formats(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _optional_page_formats(ctx, param, text: str | None) -> tuple | None:
    """As _page_formats; None when the option is not given (the library's default)."""
    return None if text is None else _page_formats(ctx, param, text)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EXIT_STATUSES)
@click.version_option(__version__, prog_name="quizgen")
def main():
    """quizgen: randomized, auto-graded deep-learning exams.

    Every numeric answer is computed by the NumPy reference implementation
    (package reference_impl) and checked against independent oracles.

    \b
    Examples:
      quizgen list --topic lstm
      quizgen show lstm.cell_step --seed 3
      quizgen build examples/unit4-quiz.toml --roster examples/roster.csv \\
          --out build/unit4 --secret-file ~/.config/quizgen/unit4.secret --jobs 2
      quizgen simulate build/unit4 --out build/unit4-submissions.csv
      quizgen grade build/unit4 build/unit4-submissions.csv; quizgen report build/unit4
      quizgen practice --topic lstm -n 5
    """


@main.command("list")
@click.option("--topic", "topics", multiple=True, help="Only these topics (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_bank_option
def list_cmd(topics, as_json, banks):
    """List the question templates.

    \b
    Example:
      quizgen list --topic rnn --topic lstm
    """
    bank = _load(banks)
    rows = [{"id": t.id, "topic": t.topic, "title": t.title, "kinds": t.kinds,
             "difficulty": t.difficulty, "parts": len(t.parts), "version": t.version,
             "mistakes": sorted(t.mistakes)} for t in bank.select(topics=topics)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        raise click.ClickException(f"no templates for topic(s) {', '.join(topics)}; topics: "
                                   f"{', '.join(bank.topics)}")
    width = max(len(r["id"]) for r in rows)
    click.echo(f"{'id':<{width}}  {'topic':<14} {'diff':>4}  {'kinds':<20} title")
    for r in rows:
        click.echo(f"{r['id']:<{width}}  {r['topic']:<14} {r['difficulty']:>4}  "
                   f"{','.join(r['kinds']):<20} {r['title']}")
    click.echo(f"\n{len(rows)} templates")


@main.command()
@click.argument("template_id")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="A plain preview seed (exams use secret-keyed seeds).")
@click.option("--code", help="A repeat code from `quizgen practice`: the variant it drew (instead of --seed).")
@click.option("--json", "as_json", is_flag=True, help="Params, answers, steps and texts as JSON.")
@click.option("--no-solution", is_flag=True, help="Only the question, as a student sees it.")
@click.option("--form", type=click.Choice(["typed", "choice"]), default="typed", show_default=True,
              help="choice: numeric parts become multiple choice, the named mistakes as distractors.")
@click.option("--size", type=click.Choice(["calculator", "computer"]), default="calculator",
              show_default=True, help="computer: the larger take-home draw, where the template has one.")
@_bank_option
def show(template_id, seed, code, as_json, no_solution, form, size, banks):
    """Show one variant of a template: stem, answers, worked solution.

    The heading names the variant's repeat code: `quizgen practice --repeat CODE`
    practises it, `--code CODE` shows it again.

    \b
    Example:
      quizgen show rnn.forward_two_steps --seed 7
      quizgen show rnn.forward_two_steps --seed 7 --json
      quizgen show rnn.forward_two_steps --code 3T910007
      quizgen show lstm.cell_step --seed 2 --form choice
    """
    from quizgen.practice import repeatcode
    from quizgen.practice.preview import variant_json, variant_text
    from quizgen.practice.termtext import TermStyle
    from quizgen.bank.question import TemplateError
    from quizgen.bank.seeds import rng_for

    bank = _load(banks)
    try:
        template = bank.get(template_id)
        if code:
            variant = repeatcode.draw(template, code, form=form, size=size)
            code = repeatcode.canonical(code)
        else:
            variant = template.draw(rng_for(seed), str(seed), form=form, size=size)
            code = repeatcode.encode(template.id, seed) if seed < repeatcode.SEEDS else None
    except repeatcode.RepeatCodeError as exc:  # a code that is not one of this template's
        raise click.BadParameter(str(exc), param_hint="--code") from None
    except (KeyError, TemplateError) as exc:
        raise click.ClickException(str(exc.args[0] if isinstance(exc, KeyError) else exc)) from None
    except Exception as exc:  # a bug in a (user's) template: say where, without a traceback
        raise click.ClickException(f"template {template_id} failed: {type(exc).__name__}: {exc}"
                                   " (run `quizgen check` on it)") from None
    if as_json:
        click.echo(json.dumps(variant_json(template, variant), indent=2, sort_keys=True))
    else:
        click.echo(variant_text(template, variant, solution=not no_solution, style=TermStyle.for_stream(sys.stdout),
                                code=code))


@main.command()
@click.argument("template_ids", nargs=-1)
@click.option("--seeds", type=click.IntRange(min=1), default=100, show_default=True,
              help="How many seeds per template.")
@click.option("--first-seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar; only failures and the summary.")
@_bank_option
def check(template_ids, seeds, first_seed, quiet, banks):
    """Stress-test templates: draw, solve, render and grade over many seeds.

    For each seed: the key must score full marks (typed as a student would,
    exact and hand-rounded), every named mistake and a perturbed answer must
    not, the frozen variant must re-solve to the same key, and the stem and
    solution must render. Exits non-zero on any failure.

    \b
    Example:
      quizgen check --seeds 20
      quizgen check rnn.forward_two_steps --seeds 500
    """
    from quizgen.bank.check import check_template
    from quizgen.progress import progress

    bank = _load(banks)
    try:
        templates = [bank.get(i) for i in template_ids] if template_ids else list(bank.templates.values())
    except KeyError as exc:
        raise click.ClickException(exc.args[0]) from None
    reports = []
    with progress(templates, "checking", quiet) as bar:
        for template in bar:
            reports.append(check_template(template, seeds, first_seed))
    width = max([len(r.template_id) for r in reports] + [8])
    click.echo(f"{'template':<{width}}  {'seeds':>5}  {'failed':>6}  {'median ms':>9}  {'max ms':>7}")
    for r in reports:
        click.echo(f"{r.template_id:<{width}}  {r.seeds:>5}  {len(r.failures):>6}  "
                   f"{r.median_ms:>9.3f}  {r.max_ms:>7.2f}")
    failed = [r for r in reports if not r.ok]
    for r in failed:
        for seed, message in r.failures:
            click.secho(f"FAIL {r.template_id} seed {seed}: {message}", fg="red", err=True)
    click.echo(f"\n{len(reports) - len(failed)} of {len(reports)} templates passed"
               + (f"; {len(bank.errors)} failed to load" if bank.errors else ""))
    if failed or bank.errors:
        sys.exit(EXIT_ATTENTION)


def _refuse_overwrite(path, force: bool) -> None:
    """Nothing is overwritten without --force."""
    if path and Path(path).exists() and not force:
        raise InputError(path, "exists; add --force to replace it")


@main.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--roster", required=True, type=click.Path(dir_okay=False), help="CSV with student id and name.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="The build directory.")
@click.option("--secret-file", type=click.Path(dir_okay=False),
              help="The exam secret (created on first use, mode 600); default: secret_file in the spec.")
@click.option("--format", "formats", default="html,pdf", show_default=True, callback=_page_formats,
              help="Which files to render: html, pdf, html,pdf or none (the key and manifest only).")
@click.option("--solutions", default=None, metavar="FORMATS", callback=_optional_page_formats,
              help="The worked solutions' formats: html, pdf, html,pdf or none [default: html when --format "
                   "has it; PDF solutions only when asked, they cost more than the papers].")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Render in this many processes.")
@click.option("--force", is_flag=True, help="Write into a non-empty directory.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.option("--paper", default=None, callback=_paper, metavar="a4|letter",
              help="Paper size of the PDFs [default: the spec's [print] paper, else a4].")
@click.option("--duplex/--no-duplex", default=None,
              help="Pad every PDF to whole sheets for double-sided printing [default: the spec's].")
@click.option("--cover/--no-cover", default=None,
              help="A cover page with a marks table per question [default: the spec's].")
@_bank_option
def build(spec, roster, out, secret_file, formats, solutions, jobs, force, quiet, paper, duplex, cover, banks):
    """Build one exam per student: PDF and HTML papers, HTML worked solutions (PDF with --solutions
    html,pdf), key, answer sheet, manifest.

    \b
    Example:
      quizgen build examples/unit4-quiz.toml --roster examples/roster.csv \\
          --out build/unit4 --secret-file ~/.config/quizgen/unit4.secret --jobs 2
      quizgen build examples/unit4-quiz.toml --roster examples/roster.csv \\
          --out build/unit4-letter --secret-file ~/.config/quizgen/unit4.secret --paper letter --duplex \\
          --solutions html,pdf
    """
    from quizgen.papers.builder import build as run_build

    report = run_build(spec, roster, out, secret_file=secret_file, formats=formats, jobs=jobs, force=force,
                       quiet=quiet, banks=banks, paper=paper, duplex=duplex, cover=cover, solutions=solutions)
    for notice in report.notices:
        click.secho(f"note: {notice}", fg="yellow", err=True)
    if report.secret_created:
        click.secho(f"created the exam secret {report.secret_created} (mode 600): keep it, and keep it "
                    "out of the build directory; without it no variant can be rebuilt", fg="yellow", err=True)
    written = "+".join(report.solutions) or "none"
    click.echo(f"built {report.students} exams x {report.questions} questions into {report.out}/ "
               f"({len(report.files)} files; worked solutions: {written}"
               f"{'' if 'pdf' in report.solutions else ', --solutions html,pdf for PDFs too'})")


@main.command()
@click.argument("build_dir", type=click.Path(file_okay=False))
@click.option("--secret-file", required=True, type=click.Path(dir_okay=False))
@_bank_option
def verify(build_dir, secret_file, banks):
    """Rebuild every variant from the secret and check it against the manifest and the files.

    \b
    Example:
      quizgen verify build/unit4 --secret-file ~/.config/quizgen/unit4.secret
    """
    from quizgen.papers.verify import verify as run_verify

    report = run_verify(build_dir, secret_file, banks)
    for problem in report.problems:
        click.secho(f"MISMATCH {problem}", fg="red", err=True)
    if report.problems:
        click.echo(f"verify failed: {len(report.problems)} problem(s)")
        sys.exit(EXIT_ATTENTION)
    click.echo(f"verified: {report.variants} variants of {report.students} students match the manifest, "
               "and every file its hash")


SHOWN = 10  # of each kind of thing worth a look; the rest is in DIR/needs-attention.txt


def _print_grade_report(report, build_dir) -> None:
    from quizgen.grade.run import ATTENTION_FILE, score_text

    for notice in report.notices:
        click.secho(f"note: {notice}", fg="yellow", err=True)
    for label, items in report.attention():
        for item in items[:SHOWN]:
            click.secho(f"{label}: {item}", fg="yellow", err=True)
        if len(items) > SHOWN:
            click.secho(f"{label}: ... and {len(items) - SHOWN} more (every one in {build_dir}/{ATTENTION_FILE})",
                        fg="yellow", err=True)
    scores = report.scores
    if scores is not None and len(scores.totals):
        line = (f"run {report.run_id}: {report.graded} of {len(scores.totals)} students graded "
                f"({report.new_rows} new rows)")
        if scores.submitted.any():  # the same mean as the report's and grades.csv's over the students graded
            line += (f"; mean {score_text(scores.mean())} / {score_text(scores.possible)}, "
                     f"median {score_text(scores.median())}")
        click.echo(line)
    if report.to_mark:
        click.echo(f"{len(report.to_mark)} essay(s) to mark: their totals are provisional; `quizgen report "
                   f"{build_dir}` lists them, `quizgen override` marks one")


@main.command("answer-sheet")
@click.argument("build_dir", type=click.Path(file_okay=False))
@click.option("--format", "formats", default="columns,form,moodle,canvas", show_default=True,
              help="Which files: columns (columns.csv), form (form.md), moodle, canvas (assignment pages).")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="The folder to write to [default: BUILD_DIR/answer-sheet].")
@click.option("--force", is_flag=True, help="Replace files written before.")
@_bank_option
def answer_sheet_cmd(build_dir, formats, out, force, banks):
    """Write what collecting answers outside quizgen needs: every answer blank's code and what to
    type, how to build a Google or Microsoft form, and Moodle and Canvas assignment descriptions.

    \b
    Example:
      quizgen answer-sheet build/unit4
      quizgen answer-sheet build/unit4 --format form --out build/unit4-form --force
    """
    from quizgen.grade.collect import write_answer_sheet

    report = write_answer_sheet(build_dir, out, [f.strip() for f in formats.split(",") if f.strip()],
                                banks=banks, force=force)
    for path in report.files:
        click.echo(f"wrote {path}")
    click.echo(f"{report.blanks} answer blanks; students' HTML papers save answers-<exam>-<id>.csv in "
               f"these columns")


@main.command("grade")
@click.argument("build_dir", type=click.Path(file_okay=False))
@click.argument("submissions", nargs=-1, required=True, type=click.Path())
@click.option("--first", is_flag=True, help="Grade a student's first submission, not the latest.")
@click.option("--no-ecf", is_flag=True, help="No credit for error carried forward.")
@click.option("--feedback", default="html", show_default=True, callback=_page_formats,
              help="Per-student feedback pages in DIR/feedback/: html, pdf, html,pdf or none.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=DEFAULT_JOBS, show_default="all cores",
              help="Worker processes grading the class and writing the feedback pages.")
@_bank_option
@_check_secret_option
def grade_cmd(build_dir, submissions, first, no_ecf, feedback, quiet, jobs, banks, secret_file):
    """Grade submissions against the frozen key; write grades.csv and the gradebook.

    SUBMISSIONS are CSV, .xlsx or .ods files (a form's or an LMS's export, the
    answers-<exam>-<id>.csv the HTML papers save), folders of them, or zip
    archives such as Moodle's and Canvas's "download all submissions". A
    student's latest submission counts (by its time where the file has one).

    Exit status 0 when all is clean, 1 when something needs attention (unknown
    ids, duplicates, missing columns or students, invalid answers), 2 on bad input,
    3 when quizgen crashed (a bug).

    \b
    Example:
      quizgen grade build/unit4 build/unit4-submissions.csv
      quizgen grade build/unit4 build/unit4-submissions.csv --secret-file ~/.config/quizgen/unit4.secret
    """
    from quizgen.grade.run import grade_build

    report = grade_build(build_dir, list(submissions), first=first, ecf=not no_ecf, banks=banks,
                         feedback=feedback, quiet=quiet, jobs=jobs, secret_file=secret_file)
    _print_grade_report(report, build_dir)
    click.echo(f"wrote {build_dir}/grades.csv")
    sys.exit(EXIT_ATTENTION if report.needs_attention else 0)


@main.command()
@click.argument("build_dir", type=click.Path(file_okay=False))
@click.option("--recompute", is_flag=True, help="Re-solve the frozen params with the current templates.")
@click.option("--first", is_flag=True, help="Grade a student's first submission, not the latest.")
@click.option("--feedback", default="html", show_default=True, callback=_page_formats,
              help="Per-student feedback pages in DIR/feedback/: html, pdf, html,pdf or none.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=DEFAULT_JOBS, show_default="all cores",
              help="Worker processes grading the class and writing the feedback pages.")
@_bank_option
@_check_secret_option
def regrade(build_dir, recompute, first, feedback, quiet, jobs, banks, secret_file):
    """Grade every stored submission again as a new run; print who changed.

    \b
    Example:
      quizgen regrade build/unit4 --recompute
    """
    from quizgen.grade.run import SCORE_DECIMALS, score_text
    from quizgen.grade.run import regrade as run_regrade

    report, changes = run_regrade(build_dir, recompute=recompute, first=first, banks=banks,
                                  feedback=feedback, quiet=quiet, jobs=jobs, secret_file=secret_file)
    _print_grade_report(report, build_dir)
    for student, (before, after) in sorted(changes.items()):
        change = round(after - before, SCORE_DECIMALS)
        click.echo(f"  {student}: {score_text(before)} -> {score_text(after)} "
                   f"({'+' if change >= 0 else '-'}{score_text(abs(change))})")
    click.echo(f"{len(changes)} student(s) changed")


@main.command("feedback")
@click.argument("build_dir", type=click.Path(file_okay=False))
@click.option("--format", "formats", default="html", show_default=True, callback=_page_formats,
              help="html, pdf or html,pdf.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=DEFAULT_JOBS, show_default="all cores",
              help="Worker processes writing the pages.")
@_bank_option
def feedback_cmd(build_dir, formats, quiet, jobs, banks):
    """Write every student's feedback pages from the latest run: their answer, the key, the
    mistake named, the worked solution (after `grade --feedback none`, or for PDFs later).

    \b
    Example:
      quizgen feedback build/unit4 --format html,pdf
    """
    from quizgen.grade.run import feedback_pages

    if not formats:
        raise click.BadParameter("give html, pdf or html,pdf", param_hint="--format")
    count = feedback_pages(build_dir, formats, banks, jobs=jobs, quiet=quiet)
    click.echo(f"wrote {'+'.join(formats)} feedback for {count} students in {build_dir}/feedback/")


@main.command("override")
@click.argument("build_dir", type=click.Path(file_okay=False))
@click.argument("student")
@click.argument("part")
@click.argument("score", type=float)
@click.option("--reason", required=True, help="Why (kept in the gradebook).")
def override_cmd(build_dir, student, part, score, reason):
    """Set a part's score by hand (essays, disputes); survives regrades.

    \b
    Example:
      quizgen override build/unit4 23AD1004 Q9 0.5 --reason "disputed wording"
    """
    from quizgen.grade.run import override

    override(build_dir, student, part, score, reason)
    click.echo(f"{student} {part} = {score:g} ({reason})")


@main.command()
@click.argument("build_dir", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Write report.json instead of report.html.")
@click.option("--out", type=click.Path(dir_okay=False), help="Where to write (default: in BUILD_DIR).")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@_bank_option
def report(build_dir, as_json, out, force, banks):
    """Item analysis of the latest grading run: difficulty, discrimination, reliability, mistakes.

    \b
    Example:
      quizgen report build/unit4
      quizgen report build/unit4 --json --out unit4-items.json
    """
    from quizgen.grade.report import write_report

    _refuse_overwrite(out, force)
    path = write_report(build_dir, out=out, as_json=as_json, banks=banks)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("build_dir", type=click.Path(file_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The CSV to write.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing file.")
def simulate(build_dir, out, seed, force):
    """Write a realistic submissions CSV for a build (a rehearsal of grading before the exam).

    \b
    Example:
      quizgen simulate build/unit4 --out build/unit4-submissions.csv
      quizgen grade build/unit4 build/unit4-submissions.csv
    """
    from quizgen.files import write_atomic
    from quizgen.grade.simulate import simulate_submissions

    _refuse_overwrite(out, force)
    text = simulate_submissions(build_dir, seed=seed)
    write_atomic(out, text)
    click.echo(f"wrote {out}")


MULTIPLE_ANSWER_CREDIT = ("all-or-nothing", "partial")  # quizgen.bank.kinds.CREDIT_RULES, named here so
                                                        # that --help does not load numpy


@main.command()
@click.option("--topic", "topics", multiple=True, help="Only these topics (repeatable).")
@click.option("--id", "ids", multiple=True, help="Only these templates (repeatable).")
@click.option("--difficulty", type=click.IntRange(1, 3), help="Only this difficulty (1 to 3).")
@click.option("-n", "count", type=click.IntRange(min=1), default=10, show_default=True, help="How many questions.")
@click.option("--seed", type=int, help="Repeat a session exactly (default: a fresh one every time).")
@click.option("--repeat", "codes", multiple=True, metavar="CODE",
              help="Practise the variant of this repeat code again (each question prints its code; repeatable).")
@click.option("--solutions", type=click.Choice(["ask", "always", "never"]), default="ask", show_default=True,
              help="When to show the worked solution.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False),
              help="Instead of a terminal session, write a self-checking offline HTML page.")
@click.option("--variants", type=click.IntRange(min=1), default=5, show_default=True,
              help="With --html: pre-generated variants per question.")
@click.option("--force", is_flag=True, help="With --html: replace an existing file.")
@click.option("--multiple-answer-credit", "credit", type=click.Choice(MULTIPLE_ANSWER_CREDIT),
              default=MULTIPLE_ANSWER_CREDIT[0],
              show_default=True, help="How a part with several right options is credited, as an exam spec's "
                                      "multiple_answer_credit: only exactly the right options, or per option.")
@_bank_option
def practice(topics, ids, difficulty, count, seed, codes, solutions, html_out, variants, force, credit, banks):
    """Practise: random questions, instant feedback and worked solutions.

    In the terminal, type each part's answer; `s` shows the solution, `q` quits.
    Each question prints its repeat code (eight characters): `--repeat CODE`
    asks that same variant again, `quizgen show ID --code CODE` shows it.
    With --html, write one offline page with a pool of variants per question and
    a Check button that grades in the browser (the answers are inside the page:
    it is a study aid, not a test).

    \b
    Examples:
      quizgen practice --topic lstm --topic gru -n 5
      quizgen practice --repeat 3T910007
      quizgen practice --html lstm-practice.html --topic lstm --variants 10
    """
    bank = _load(banks)
    if html_out:
        from quizgen.practice.selfcheck import write_selfcheck

        _refuse_overwrite(html_out, force)
        report = write_selfcheck(bank, html_out, topics=topics, variants=variants, seed=seed or 0,
                                 difficulty=difficulty, ids=ids, credit=credit)
        click.echo(f"wrote {report.path}: {report.templates} questions x {variants} variants "
                   f"({report.bytes / 1e6:.1f} MB)")
        return
    from quizgen.practice.terminal import run_practice

    from quizgen.practice.repeatcode import RepeatCodeError

    try:
        summary = run_practice(bank, topics=topics, difficulty=difficulty, n=count, seed=seed,
                               show_solution=solutions, ids=ids, credit=credit, repeat=codes)
    except RepeatCodeError as exc:  # a repeat code that names no template
        raise click.BadParameter(str(exc), param_hint="--repeat") from None
    if summary.ended == "empty":
        sys.exit(EXIT_ATTENTION)


@main.group()
def export():
    """Export questions to an LMS: Moodle XML, QTI 2.1, Canvas QTI 1.2.

    \b
    Examples:
      quizgen export moodle examples/final.toml --variants 20 --out final-moodle.xml \\
          --secret-file ~/.config/quizgen/final.secret
      quizgen export qti examples/final.toml --variants 20 --out final-qti.zip \\
          --secret-file ~/.config/quizgen/final.secret
      quizgen export qti examples/final.toml --variants 20 --flavor canvas --out final-canvas.zip \\
          --secret-file ~/.config/quizgen/final.secret
      quizgen export moodle examples/unit4-quiz.toml --variants 5 --public-seed 1 --out practice.xml

    The variants are drawn from the exam secret, so that nobody without it can rebuild the questions
    and their answers from the spec; --public-seed N draws a practice pool anyone can rebuild.
    """


def _export_options(fn):
    for option in reversed([
        click.argument("spec", type=click.Path(dir_okay=False)),
        click.option("--variants", "-n", type=click.IntRange(min=1), default=10, show_default=True,
                     help="Variants per template."),
        click.option("--out", required=True, type=click.Path(dir_okay=False)),
        click.option("--secret-file", type=click.Path(dir_okay=False),
                     help="Draw the variants from the exam secret (created on first use, mode 600); "
                          "default: secret_file in the spec."),
        click.option("--public-seed", "--seed", "public_seed", type=int, default=None,
                     help="Draw a practice pool from this public seed instead: anyone with the spec can "
                          "rebuild it, answers included."),
        click.option("--force", is_flag=True, help="Replace an existing file."),
    ]):
        fn = option(fn)
    return _bank_option(fn)


def _run_export(format_name, out, force, **kwargs):
    from quizgen.export import get_exporter

    _refuse_overwrite(out, force)
    try:
        report = get_exporter(format_name).export(**kwargs, out_path=out)
    except ValueError as exc:  # a spec the exporter cannot use (an InputError is the group's)
        _fail(exc)
    for note in report.notes:
        click.secho(f"note: {note}", fg="yellow", err=True)
    click.echo(report.summary())


@export.command("moodle")
@_export_options
def export_moodle_cmd(spec, variants, out, secret_file, public_seed, force, banks):
    """Moodle XML: a category per template holding N variants.

    \b
    Example:
      quizgen export moodle examples/unit4-quiz.toml --variants 20 --out unit4.xml \\
          --secret-file ~/.config/quizgen/unit4.secret
    """
    _run_export("moodle", out, force, spec_path=spec, variants=variants, banks=banks, seed=public_seed,
                secret_file=secret_file)


@export.command("qti")
@_export_options
@click.option("--flavor", type=click.Choice(["qti21", "canvas"]), default="qti21", show_default=True,
              help="qti21: an IMS QTI 2.1 content package; canvas: the QTI 1.2 that Canvas imports.")
def export_qti_cmd(spec, variants, out, secret_file, public_seed, force, banks, flavor):
    """A QTI content package (zip): QTI 2.1, or QTI 1.2 for Canvas.

    \b
    Example:
      quizgen export qti examples/unit4-quiz.toml --variants 20 --out unit4-qti.zip \\
          --secret-file ~/.config/quizgen/unit4.secret
    """
    from quizgen.export import QTI_FLAVORS

    _run_export(QTI_FLAVORS[flavor], out, force, spec_path=spec, variants=variants, banks=banks,
                seed=public_seed, secret_file=secret_file)


if __name__ == "__main__":
    main()
