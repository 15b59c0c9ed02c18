"""The self-checking HTML page: embedded data, and grading in a real headless Chromium.

The browser tests drive the page with Playwright on Debian's /usr/bin/chromium
(no downloaded browsers): type answers, press Check, read the verdicts. The
parity tests run the page's JavaScript parsers (QZ.parse, QZ.gradePart) on the
answer corpus of test_kinds.py and compare them with the Python kinds and grade().
"""

import random
import re

import numpy as np
import pytest

from quizgen.bank.loader import load_bank
from quizgen.bank.marking import grade
from quizgen.bank.answertext import InvalidAnswer
from quizgen.bank.kinds import Choice, Integer, Matrix, Number, Shape, Symbolic, TrueFalse, Vector
from quizgen.bank.question import accepted_interval
from quizgen.practice.selfcheck import variant_rng, read_embedded, write_selfcheck
from tests.quizgen.bank import test_kinds as corpus

IDS = ("rnn.forward_two_steps", "lstm.param_count", "cnn.conv_output_shape", "cnn.pool_matrix",
       "lstm.cell_step", "rbm.cd1_update", "lstm.concept.output_gate_role", "lstm.concept.explain_lstm")
VARIANTS = 3


@pytest.fixture(scope="module")
def bank():
    return load_bank()


@pytest.fixture(scope="module")
def page_file(bank, tmp_path_factory):
    path = tmp_path_factory.mktemp("selfcheck") / "study.html"
    report = write_selfcheck(bank, path, variants=VARIANTS, seed=7, ids=IDS)
    return path, report


@pytest.fixture(scope="module")
def data(page_file):
    return read_embedded(page_file[0].read_text(encoding="utf-8"))


# -- Python side --------------------------------------------------------------------------------

def test_report_and_essays_left_out(page_file):
    path, report = page_file
    assert report.templates == len(IDS) - 1 and report.variants == VARIANTS * (len(IDS) - 1)
    assert report.skipped == ["lstm.concept.explain_lstm: essay answers are graded by hand"]
    assert {"vector", "integer", "shape", "matrix", "number", "choice"} <= set(report.kinds)
    assert report.bytes == path.stat().st_size


def test_every_variant_is_embedded_with_its_keys(bank, data):
    assert [q["id"] for q in data["questions"]] == [i for i in bank.templates if i in IDS[:-1]]
    for q in data["questions"]:
        template = bank.get(q["id"])
        assert len(q["variants"]) == VARIANTS
        for k, embedded in enumerate(q["variants"]):
            variant = template.draw(variant_rng(7, template, k), f"selfcheck-7-{k}")
            assert embedded["seed"] == variant.seed
            for part in template.parts:
                entry = embedded["parts"][part.name]
                assert entry["key"]["value"] == variant.answers[part.name]
                assert entry["hand"]["value"] == variant.hand_answers[part.name]
                assert entry["key_text"] == part.kind.format(part.kind.from_json(variant.answers[part.name]))
                assert {m["name"]: m["value"] for m in entry["mistakes"]} == {
                    n: a[part.name] for n, a in variant.mistakes.items() if part.name in a}
            assert "<math" in embedded["stem"] or "concept" in template.tags
            assert embedded["solution"]
        assert set(q["mistakes"]) == set(template.mistakes)


def test_page_is_offline_and_says_it_is_a_study_aid(page_file):
    page = page_file[0].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "fetch(" not in page
    assert "data:font/woff2;base64," in page
    assert "Study aid, not an exam" in page and "answers are inside this page" in page
    block = re.search(r'id="quizgen-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block  # nothing inside the JSON can close the script element


def test_symbolic_samples_follow_equivalent():
    kind = Symbolic(("x", "w"))
    values = kind.sample_values("w*(1 - tanh(x)**2)")
    assert len(values) == 7 and all(v is not None for v in values)
    assert Symbolic(("x",)).sample_values("log(x)")[2] is None  # log of a negative point: passed over


# -- the browser --------------------------------------------------------------------------------



@pytest.fixture(scope="module")
def page(browser, page_file):
    context = browser.new_context()
    context.route(re.compile(r"^(https?|wss?)://"), lambda route: route.abort())  # offline, provably
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("requestfailed", lambda req: errors.append("request " + req.url))
    tab.goto(page_file[0].as_uri())
    tab.wait_for_selector("body[data-ready=true]")
    tab.errors = errors
    yield tab
    context.close()


def section(page, template_id):
    return page.locator(f'section[data-template="{template_id}"]')


def variant_index(page, template_id):
    return int(section(page, template_id).get_attribute("data-variant"))


def test_page_loads_without_errors_or_requests(page, data):
    assert page.errors == []
    assert page.locator("section.sc-q").count() == len(data["questions"])
    assert page.locator("#sc-notice").is_visible()
    assert "Study aid" in page.locator("#sc-notice").inner_text()


def test_typed_right_and_wrong_answers_get_verdicts(page, bank, data):
    tid = "rnn.forward_two_steps"
    template = bank.get(tid)
    sec = section(page, tid)
    entry = data["questions"][[q["id"] for q in data["questions"]].index(tid)]["variants"][variant_index(page, tid)]
    mistake = entry["parts"]["h2"]["mistakes"][0]
    kind = template.part("h2").kind
    sec.locator('input[data-part="h1"]').fill(entry["parts"]["h1"]["key_text"])
    sec.locator('input[data-part="h2"]').fill(kind.format(kind.from_json(mistake["value"])))
    sec.locator("button.sc-check").click()
    h1, h2 = (sec.locator(f'.sc-verdict[data-part="{p}"]') for p in ("h1", "h2"))
    assert h1.inner_text() == "✓ correct" and h1.get_attribute("data-status") == "correct"
    assert h2.get_attribute("data-status") == "wrong"
    description = sec.locator(".sc-verdict[data-part=h2]").inner_text()
    assert description.startswith("✗ wrong: it looks like")
    words = re.sub(r"\$[^$]*\$", "", template.mistakes[mistake["name"]]).split()
    assert all(w in description for w in words)
    assert sec.locator(".sc-score").inner_text() == "Score: 1 of 2 points"
    # not the key, within tolerance, invalid, blank
    sec.locator('input[data-part="h1"]').fill("[5, 5]")
    key = np.asarray(entry["parts"]["h2"]["key"]["value"])
    sec.locator('input[data-part="h2"]').fill(" ".join(f"{v + 0.00005:.6f}".replace(".", ",") for v in key))
    sec.locator("button.sc-check").click()
    assert h1.inner_text().startswith("✗ wrong: not the key")
    assert h2.inner_text().startswith("✓ correct (within tolerance, ±0.0001, of")
    sec.locator('input[data-part="h1"]').fill("0.1")
    sec.locator('input[data-part="h2"]').fill("")
    sec.locator('input[data-part="h2"]').press("Enter")  # Enter checks too
    assert h1.inner_text() == "⚠ invalid: expected 2 numbers, got 1"
    assert h2.inner_text() == "– no answer"


def test_integer_shape_and_choice_parts(page, bank, data):
    for tid in ("lstm.param_count", "cnn.conv_output_shape", "lstm.concept.output_gate_role"):
        template = bank.get(tid)
        sec = section(page, tid)
        entry = data["questions"][[q["id"] for q in data["questions"]].index(tid)]["variants"][variant_index(page, tid)]
        for part in template.parts:
            text = entry["parts"][part.name]["key_text"]
            if isinstance(part.kind, Shape):
                text = text.strip("()").replace(", ", "x")   # typed another way
            if isinstance(part.kind, Choice):
                text = f"({text.lower()})"
            sec.locator(f'[data-part="{part.name}"] input, [data-part="{part.name}"] textarea').first.fill(text)
        sec.locator("button.sc-check").click()
        verdicts = sec.locator(".sc-verdict").all_inner_texts()
        assert verdicts == ["✓ correct"] * len(template.parts), (tid, verdicts)


def test_solution_toggle_and_new_variant_cycle(page, data):
    tid = "lstm.cell_step"
    sec = section(page, tid)
    solution = sec.locator(".sc-solution")
    assert not solution.is_visible()
    sec.locator("button.sc-toggle").click()
    assert solution.is_visible() and "Worked solution" in solution.inner_text()
    assert sec.locator("button.sc-toggle").inner_text() == "Hide solution"
    sec.locator("button.sc-toggle").click()
    assert not solution.is_visible()
    sec.locator("input").first.fill("0.5")
    stems = [sec.locator(".sc-stem").inner_html()]
    for k in range(1, VARIANTS + 1):
        sec.locator("button.sc-next").click()
        assert variant_index(page, tid) == k % VARIANTS
        assert sec.locator(".sc-counter").inner_text() == f"variant {k % VARIANTS + 1} of {VARIANTS}"
        assert sec.locator("input").first.input_value() == ""
        stems.append(sec.locator(".sc-stem").inner_html())
    assert len(set(stems[:VARIANTS])) == VARIANTS and stems[VARIANTS] == stems[0]


def _typed_attempts(template, variant, part, rnd):
    """What a student might type for a part: the key, the hand key, each mistake, near misses, junk."""
    kind = part.kind
    out = [kind.format(kind.from_json(variant.answers[part.name])),
           kind.format(kind.from_json(variant.hand_answers[part.name])), "", "abc", "1/0", "[1, 2"]
    out += [kind.format(kind.from_json(a[part.name])) for a in variant.mistakes.values() if part.name in a]
    if kind.numeric and not isinstance(kind, Integer):
        key = np.asarray(kind.from_json(variant.answers[part.name]), float)
        for delta in (0.00009, 0.00011, -0.0003):
            out.append(kind.format(key + delta).replace("0.", "0,", 1) if rnd.random() < 0.3
                       else kind.format(key + delta))
        interval = accepted_interval(part, variant)
        if interval is not None and np.ndim(interval["lo"]) == 0:  # just inside and outside its ends
            lo, hi = interval["lo"], interval["hi"]
            out += [f"{v:.7f}" for v in (lo + 2e-6, lo - 2e-6, hi - 2e-6, hi + 2e-6)]
    return out


def test_browser_grading_agrees_with_python_grade(page, bank, data):
    """For every variant and part on the page: the key, hand key, mistakes and near misses typed."""
    rnd = random.Random(3)
    cases, expected = [], []
    for qi, q in enumerate(data["questions"]):
        template = bank.get(q["id"])
        for k in range(VARIANTS):
            variant = template.draw(variant_rng(7, template, k), f"selfcheck-7-{k}")
            for pi, part in enumerate(template.parts):
                for text in _typed_attempts(template, variant, part, rnd):
                    result = grade(template, variant, {part.name: text}, ecf=False).parts[pi]
                    cases.append([qi, k, pi, text])
                    expected.append([result.status, result.mistake])
    got = page.evaluate("""cases => cases.map(([qi, k, pi, text]) => {
        const q = QZ.data.questions[qi], part = q.parts[pi];
        const r = QZ.gradePart(q, part, q.variants[k].parts[part.name], text);
        return [r.status, r.mistakes.length ? r.mistakes[0] : null];
    })""", cases)
    mismatches = [(c, e, g) for c, e, g in zip(cases, expected, got) if e != g]
    assert not mismatches, mismatches[:10]
    assert len(cases) > 200


# -- parser parity: the JS kinds against the Python kinds ---------------------------------------

def _spec(kind):
    return kind.js_spec()


def _python(kind, text):
    try:
        value = kind.parse(text)
    except InvalidAnswer as bad:
        return {"ok": False, "reason": bad.reason}
    if isinstance(kind, Choice):
        value = sorted(value)
    elif isinstance(kind, Symbolic):
        value = kind.sample_values(value)
    elif isinstance(kind, (Vector, Matrix)):
        value = np.asarray(value, float).tolist()
    elif isinstance(kind, Shape):
        value = list(value)
    return {"ok": True, "value": value}


JS_PARSE = """cases => cases.map(([spec, text]) => {
    const r = QZ.parse(spec, text);
    if (r.ok && spec.kind === "symbolic") r.value = QZ.samplesOf(spec, r.value);
    return r;
})"""


def _corpus():
    cases = []
    cases += [(Number(), t) for t, _ in corpus.NUMBER_ACCEPTED] + [(Number(), t) for t, _ in corpus.NUMBER_REJECTED]
    cases += [(Vector(2), t) for t, _ in corpus.VECTOR_ACCEPTED] + [(Vector(2), t) for t, _ in corpus.VECTOR_REJECTED]
    cases += [(Matrix((2, 2)), t) for t, _ in corpus.MATRIX_ACCEPTED]
    cases += [(Matrix((2, 2)), t) for t in ("1 2 3; 4 5 6", "1 2; 3", "", "[]", "[[1, 2], [3, x]]")]
    cases += [(Shape(3), t) for t in ("(6, 28, 28)", "6x28x28", "6 × 28 × 28", "[6,28,28]", "6 28 28", "6*28*28",
                                      "6 X 28 X 28", "6 by 28 by 28", "(6, 28)", "6x28.5x2", "", "(6, -28, 28)")]
    cases += [(Integer(), t) for t in ("60000", "60,000", "60 000", "6e4", "\u22123", "1,516", "1.5", "abc",
                                       "", "6e-1", "1e400", "9007199254740993")]
    single, multiple = Choice(4), Choice(5, multiple=True)
    cases += [(single, t) for t in ("B", "b", "(b)", "B)", " b. ", "A, C", "E", "", "?")]
    cases += [(multiple, t) for t in ("A, C", "AC", "a c", "c;a", "A and C", "A A", "F")]
    cases += [(TrueFalse(), t) for t in ("T", "true", "Yes", "1", "F", "false", "no", "0", "(T).", "maybe", "")]
    sym = Symbolic(("x",))
    cases += [(sym, t) for t in ("sigma(x)*(1-sigma(x))", "σ(x)(1 − σ(x))", "exp(-x)/(1+exp(-x))^2",
                                 "exp(x)/(1+exp(x))**2", "1/(2+exp(x)+exp(-x))", "sigmoid(x) - sigmoid(x)^2",
                                 "2x", "x(1-x)", "-x^2", "2^-x", "sqrt(x)", "log(x)", "relu(x) + softplus(x)",
                                 "", "x +", "(x", "x)", "y", "9^9^9", "x/0", "sin x", "x $ 2", "1e400",
                                 "(" * 500 + "x" + ")" * 500, "__import__('os')", "x.__class__", "log(0)")]
    cases += [(Symbolic(("x", "w")), t) for t in ("w(1 - tanh(x)^2)", "w*(1-tanh(x)**2)", "x w + pi e")]
    return cases


def _compare(page, cases):
    got = page.evaluate(JS_PARSE, [[_spec(kind), text] for kind, text in cases])
    problems = []
    for (kind, text), js in zip(cases, got):
        py = _python(kind, text)
        if py["ok"] != js["ok"]:
            problems.append((kind.name, text, py, js))
        elif not py["ok"]:
            if py["reason"] != js["reason"]:
                problems.append((kind.name, text, py["reason"], js["reason"]))
        elif isinstance(kind, Symbolic):
            pairs = [(a, b) for a, b in zip(py["value"], js["value"]) if a is not None and b is not None]
            if len(pairs) < 3 or any(abs(a - b) > 1e-9 * max(1, abs(a)) for a, b in pairs):
                problems.append((kind.name, text, py["value"], js["value"]))
        elif isinstance(kind, (Choice, TrueFalse)):
            if py["value"] != js["value"]:
                problems.append((kind.name, text, py["value"], js["value"]))
        else:
            a, b = np.asarray(py["value"], float), np.asarray(js["value"], float)
            if a.shape != b.shape or not np.allclose(a, b, rtol=1e-12, atol=0):
                problems.append((kind.name, text, py["value"], js["value"]))
    return problems


def test_js_parsers_agree_with_python_on_the_corpus(page):
    cases = _corpus()
    assert len(cases) > 120
    problems = _compare(page, cases)
    assert not problems, problems


FUZZ_ALPHABET = list("0123456789.,;:-+eE/xX×*^() []{}\n\t sigmatnhlopqz−\u00a0%'")


def test_js_parsers_agree_with_python_on_random_typing(page):
    rnd = random.Random(20261122)
    kinds = [Number(), Vector(2), Vector(3), Matrix((2, 2)), Shape(3), Integer(), Choice(4),
             Choice(4, multiple=True), TrueFalse(), Symbolic(("x",))]
    cases = []
    for _ in range(1500):
        text = "".join(rnd.choice(FUZZ_ALPHABET) for _ in range(rnd.randint(0, 14)))
        kind = rnd.choice(kinds)
        try:
            kind.parse(text)
        except InvalidAnswer:
            pass
        except OverflowError:  # a Python parser bug (see the report); the browser says "not a finite number"
            continue
        cases.append((kind, text))
    problems = _compare(page, cases)
    assert not problems, problems[:10]


# -- multiple-answer parts: the credit rule in the browser, against grade() ------------------------

MULTIPLE_IDS = ("gan.concept.applications", "dbm.concept.dbm_vs_dbn", "word2vec.skipgram_pairs")


@pytest.fixture(scope="module")
def partial_page(browser, bank, tmp_path_factory):
    path = tmp_path_factory.mktemp("selfcheck-partial") / "study.html"
    write_selfcheck(bank, path, variants=VARIANTS, seed=11, ids=MULTIPLE_IDS, credit="partial")
    context = browser.new_context()
    context.route(re.compile(r"^(https?|wss?)://"), lambda route: route.abort())
    tab = context.new_page()
    tab.goto(path.as_uri())
    tab.wait_for_selector("body[data-ready=true]")
    tab.data = read_embedded(path.read_text(encoding="utf-8"))
    yield tab
    context.close()


def _subsets(n: int) -> list:
    """Every choice of options among n, typed a few ways, and some unreadable answers."""
    letters = "ABCDEFGHIJ"[:n]
    out = []
    for mask in range(1, 2 ** n):
        chosen = [letters[i] for i in range(n) if mask >> i & 1]
        out.append(", ".join(chosen) if mask % 3 else "".join(chosen).lower())
    return out + ["", "A A", "Z", "A and"]


def test_browser_partial_credit_agrees_with_python_grade(partial_page, bank):
    """Under both rules, every subset of options of every multiple-answer part on the page: the same
    status and the same credit, to the last bit, as grade() with the rule the manifest would carry."""
    data = partial_page.data
    cases, expected = [], []
    for qi, q in enumerate(data["questions"]):
        template = bank.get(q["id"])
        for k in range(VARIANTS):
            variant = template.draw(variant_rng(11, template, k), f"selfcheck-11-{k}")
            for pi, part in enumerate(template.parts):
                if not part.kind.credit_rules_apply:
                    continue
                assert q["parts"][pi]["credit"] == "partial"
                for rule in ("partial", "all-or-nothing"):
                    for text in _subsets(part.kind.n_options):
                        result = grade(template, variant, {part.name: text}, ecf=False,
                                       credit={part.name: rule}).parts[pi]
                        cases.append([qi, k, pi, text, rule])
                        expected.append([result.status, result.credit])
    got = partial_page.evaluate("""cases => cases.map(([qi, k, pi, text, rule]) => {
        const q = QZ.data.questions[qi], part = Object.assign({}, q.parts[pi], {credit: rule});
        const r = QZ.gradePart(q, part, q.variants[k].parts[part.name], text);
        return [r.status, r.credit || 0];
    })""", cases)
    mismatches = [(c, e, g) for c, e, g in zip(cases, expected, got) if e != g]
    assert not mismatches, mismatches[:10]
    statuses = {e[0] for e in expected}
    assert {"partial", "correct", "wrong", "invalid", "blank"} <= statuses and len(cases) > 1000
    # 2 of the 3 right options and no wrong one earn 2/3, as Moodle's fractions would
    assert any(e == ["partial", 2 / 3] for e in expected)


def test_a_partial_answer_on_the_page_shows_its_share_of_the_points(partial_page):
    tid = "dbm.concept.dbm_vs_dbn"  # 2 right options of 5: one right and no wrong one earns 1/2
    sec = section(partial_page, tid)
    q = partial_page.data["questions"][[x["id"] for x in partial_page.data["questions"]].index(tid)]
    entry = q["variants"][variant_index(partial_page, tid)]["parts"]["choice"]
    sec.locator('input[data-part="choice"]').fill(entry["key"]["value"][0])
    sec.locator("button.sc-check").click()
    verdict = sec.locator('.sc-verdict[data-part="choice"]')
    assert verdict.get_attribute("data-status") == "partial"
    assert verdict.inner_text().startswith("◐ partly right: 0.5 of 1 points")
    assert sec.locator(".sc-score").inner_text() == "Score: 0.5 of 1 points"
