"""Grading the class at once (classgrade) gives what grading each student's variants one by one gives.

The one-by-one grader (``batch.grade_one_by_one``, i.e. ``grading.grade`` per
question) is the yardstick: it is tested on its own against the templates' keys
and mistakes elsewhere. Here every status, credit, point, response, mistake and
feedback of a wide exam must agree, on answers typed every way people type them.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.grade import columns as classgrade
from quizgen.builddir import KEY_FILE, MANIFEST, BuildDir, directory, params
from quizgen.builddir.manifest import file_sha256
from quizgen.bank.loader import load_bank
from quizgen.grade.run import grade_one_by_one
from quizgen.build.builder import build
from quizgen.bank.kinds import Integer, InvalidAnswer, Number, Shape, Tolerance, Vector
from quizgen.bank.question import thaw

SPEC = """
title = "Every kind of answer"
exam_id = "classgrade"

[[section]]
title = "Typed"
ids = ["rnn.forward_two_steps", "lstm.cell_step", "cnn.conv_entries", "rbm.cd1_update", "mcmc.gibbs_discrete",
       "cnn.conv_output_shape", "word2vec.skipgram_pairs", "autoencoder.compression_ratio", "bptt.scalar_chain"]

[[section]]
title = "Choice"
ids = ["gru.step_course", "gan.losses"]
form = "choice"

[[section]]
title = "Computer"
ids = ["lstm.two_steps"]
size = "computer"

[[section]]
title = "Concepts"
ids = ["lstm.concept.forget_gate_role", "cnn.concept.alexnet_facts", "bptt.concept.sum_over_steps",
       "bptt.concept.explain_bptt", "autoencoder.concept.types_matching"]
"""

STUDENTS = 24


@pytest.fixture(scope="module")
def exam(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("classgrade")
    (tmp / "spec.toml").write_text(SPEC)
    (tmp / "roster.csv").write_text("student_id,name\n" + "".join(f"s{i:02d},S {i}\n" for i in range(STUDENTS)))
    build(tmp / "spec.toml", tmp / "roster.csv", tmp / "out", secret_file=tmp / "k" / "s", formats=(), quiet=True)
    out = tmp / "out"
    bank = load_bank()
    reading = BuildDir(out)
    key = reading.key(file_sha256(out / MANIFEST))
    assert key is reading.key_on_disk(), "the build wrote a current grading key"
    return out, bank, key, reading.manifest()


def _spellings(kind, value) -> list:
    """Ways a person might type ``value`` (right or wrong) for ``kind``."""
    text = kind.format(value)
    out = [text, " " + text + " ", "'" + text]
    if isinstance(kind, Number):
        v = float(value)
        out += [f"{v:.6e}", f"{v:.3f}".replace(".", ","), f"{v:.4f}".replace("-", "\u2212"), f"{100 * v:.2f}%",
                f"{v:.2f}", f"{v + 0.5:.4f}"]
    elif isinstance(kind, Vector):
        v = np.ravel(value)
        out += [" ".join(f"{x:.4f}" for x in v), "(" + "; ".join(f"{x:.4f}" for x in v) + ")",
                ",".join(f"{x:.4f}" for x in v), "[" + ", ".join(f"{x + 0.3:.4f}" for x in v) + "]",
                "[" + ", ".join(f"{x:.4f}" for x in v[:-1]) + "]", text.replace("-", "\u2212")]
    elif isinstance(kind, Integer):
        out += [f"{int(value):,}", f"{int(value) + 1}", f"{float(value):.1e}"]
    elif isinstance(kind, Shape):
        out += ["x".join(str(d) for d in value), " × ".join(str(d) for d in value),
                "[" + ", ".join(str(d + 1) for d in value) + "]"]
    return out


JUNK = ["", "   ", "?", "idk", "1e999", "nan", "[1, 2", "0.5 0.6 0.7 0.8", "=1+1", "\u00a0", "a", "b)", "(C)",
        "A, B", "z", "T", "false", "1/0", "3/4", "[[1, 2], [3, 4]]", "1; 2\n3; 4", "0.1 0.2; 0.3 0.4"]


def _answers(rng, bank, student: dict) -> dict:
    """A plausible, messy answer sheet for one student: right, rounded, mistaken, carried forward, junk."""
    cells = {}
    for q in student["questions"]:
        template = bank.get(q["template_id"])
        variant = q["variant"]
        carried = {}
        if rng.random() < 0.4 and variant["mistakes"]:
            # a wrong first answer, then the rest worked from it: error carried forward
            first = template.parts[0]
            wrong = next(iter(variant["mistakes"].values())).get(first.name)
            if wrong is not None and first.kind.carries_forward:
                try:
                    work = template.solve(thaw(variant["params"]), given={first.name: first.kind.from_json(wrong)},
                                          hand=False)
                    carried = {p.name: work.answers[p.name] for p in template.parts}
                except Exception:
                    carried = {}
        for part, meta in zip(template.parts, q["parts"]):
            kind, column = part.kind, meta["column"]
            choice = variant["choices"].get(part.name)
            roll = rng.random()
            if choice or kind.name in ("choice", "truefalse", "essay"):
                options = ["A", "b", "C", "d", "E", "(a)", "B)", "a, c", "AC", "T", "F", "true", "no", "",
                           "a long essay answer"]
                if choice:
                    options += [choice["key"]] * 4
                elif kind.name != "essay":
                    options += [kind.format(kind.from_json(variant["answers"][part.name]))] * 4
                cells[column] = options[rng.integers(len(options))]
                continue
            if roll < 0.05:
                cells[column] = JUNK[rng.integers(len(JUNK))]
                continue
            if part.name in carried and roll < 0.5:
                value = carried[part.name]
            elif roll < 0.6:
                value = kind.from_json(variant["answers"][part.name])
            elif roll < 0.75:
                value = kind.from_json(variant["hand_answers"][part.name])
            else:
                wrong = [a[part.name] for a in variant["mistakes"].values() if part.name in a]
                value = kind.from_json(wrong[rng.integers(len(wrong))] if wrong else variant["answers"][part.name])
            spellings = _spellings(kind, value)
            cells[column] = spellings[rng.integers(len(spellings))]
    return cells


def _compare(key, grades_fast, grades_slow):
    compared = 0
    for column in key.columns:
        fast, slow = grades_fast[column], grades_slow[column]
        for i, (sid, _) in enumerate(key.students):
            where = f"{sid} {column}"
            assert classgrade.STATUSES[fast.status[i]] == classgrade.STATUSES[slow.status[i]], where
            assert fast.credit[i] == slow.credit[i], where
            assert fast.points[i] == slow.points[i], where
            assert fast.response[i] == slow.response[i], where
            assert fast.mistake[i] == slow.mistake[i], where
            assert fast.feedback[i] == slow.feedback[i], where
            compared += 1
    return compared


@pytest.mark.parametrize("seed", range(6))
def test_the_class_at_once_equals_one_by_one(exam, seed):
    out, bank, key, manifest = exam
    rng = np.random.default_rng(seed)
    cells = [_answers(rng, bank, s) if rng.random() > 0.1 else None for s in manifest["students"]]
    with BuildDir(out) as reader:  # as batch grading reads for carrying errors
        fast = classgrade.grade_class(key, bank, cells, question_record=reader.for_carrying)
    slow = grade_one_by_one(manifest["students"], bank, cells)
    assert _compare(key, fast, slow) == STUDENTS * len(key.columns)
    statuses = {classgrade.STATUSES[s] for c in key.columns for s in fast[c].status}
    assert {"correct", "wrong", "invalid", "blank"} <= statuses


def test_error_carried_forward_is_found_and_worker_processes_agree(exam):
    out, bank, key, manifest = exam
    rng = np.random.default_rng(99)
    cells = [_answers(rng, bank, s) for s in manifest["students"]]
    saved = classgrade.PARALLEL_FROM, classgrade.SLICE
    finished = []
    with BuildDir(out) as reader:
        record = reader.for_carrying
        one = classgrade.grade_class(key, bank, cells, question_record=record)
        classgrade.PARALLEL_FROM, classgrade.SLICE = 2, 5
        try:
            two = classgrade.grade_class(key, bank, cells, question_record=record, jobs=2, done=finished.append)
            sliced = classgrade.grade_class(key, bank, cells, question_record=record, jobs=1)
        finally:
            classgrade.PARALLEL_FROM, classgrade.SLICE = saved
    assert finished == [5, 5, 5, 5, 4]  # 24 students in slices of 5, shared by two workers
    assert _compare(key, one, two) == _compare(key, one, sliced) == STUDENTS * len(key.columns)
    assert sum(int((one[c].status == classgrade.ECF).sum()) for c in key.columns) > 0
    _compare(key, one, grade_one_by_one(manifest["students"], bank, cells))


def test_a_stale_grading_key_is_remade_from_the_manifest(exam, tmp_path):
    import shutil

    out, bank, key, manifest = exam
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / KEY_FILE).write_bytes(b"not a zip file")
    reading = BuildDir(copy)
    remade = reading.key(file_sha256(copy / MANIFEST))
    assert reading.key_on_disk() is None and not len(remade.offsets) and remade.columns == key.columns
    for a, b in zip(remade.groups, key.groups):
        assert (a.column, a.template_id, a.part, a.mode) == (b.column, b.template_id, b.part, b.mode)
        for name in ("rows", "points", "key", "hand", "mistakes"):
            x, y = getattr(a, name), getattr(b, name)
            assert (x is None and y is None) or np.array_equal(x, y, equal_nan=True)


def test_manifest_lines_are_the_questions(exam):
    out, bank, key, manifest = exam
    with BuildDir(out) as reader:
        for i, student in enumerate(manifest["students"]):
            for k, question in enumerate(student["questions"]):
                assert reader.question(i, k) == question


# -- the fast readers never read what the kind's parser would not, nor read it differently --------

KINDS = [Number(4), Integer(), Vector(2), Vector(3), Shape(3), Shape(None)]
SEPARATORS = [", ", ",", " ", "; ", " ,", ",  ", "x", " x ", "*"]
BRACKETS = ["[{}]", "({})", "{}", "{{{}}}", "[{}", "{})", " [ {} ] ", "[{})"]


def _listed(values, separator, bracket):
    return bracket.format(separator.join(values))


number_text = st.one_of(st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: f"{x:.5g}"),
                        st.integers(0, 999).map(str), st.sampled_from(["1e5", "-.5", "+3.", "1e999", "007", "0,5"]))
typed = st.one_of(
    st.text(alphabet="0123456789.,;-+eE xX*()[] %/", max_size=24),
    st.builds(_listed, st.lists(number_text, min_size=1, max_size=4), st.sampled_from(SEPARATORS),
              st.sampled_from(BRACKETS)),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**20, 10**20).map(str),
)


@settings(max_examples=3000, deadline=None)
@given(typed)
def test_fast_readers_agree_with_the_kinds(text):
    s = text.strip()
    if not s or not text.isascii():
        return
    for kind in KINDS:
        shape = (kind.length,) if isinstance(kind, Vector) else (3,) if isinstance(kind, Shape) else ()
        fast = classgrade.fast_reader(kind, shape)(s)
        if fast is None:
            continue
        try:
            parsed = kind.parse(text)
        except InvalidAnswer as exc:  # pragma: no cover - the assertion says what went wrong
            raise AssertionError(f"{kind.name} fast-read {text!r} as {fast} but the kind says: {exc}")
        assert np.array_equal(np.asarray(fast, float), np.asarray(parsed, float)), (kind, text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=6),
       st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=6),
       st.sampled_from([Tolerance(atol=1e-4), Tolerance(rtol=1e-3), Tolerance(sig=3), Tolerance(atol=0.01, rtol=0.1)]))
def test_close_rows_is_close_elementwise(values, keys, tolerance):
    n = min(len(values), len(keys))
    values, keys = np.array(values[:n]), np.array(keys[:n])
    rows = tolerance.close_rows(values, keys)
    assert [bool(r) for r in rows] == [tolerance.close(float(v), float(k)) for v, k in zip(values, keys)]


def test_the_manifest_is_hashed_only_when_it_changed_since_it_was_written(exam, tmp_path, monkeypatch):
    import shutil

    out, bank, key, manifest = exam
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)  # copy2 keeps the modification time: still the manifest written
    hashed = []
    real = directory.file_sha256
    monkeypatch.setattr(directory, "file_sha256", lambda path: hashed.append(path) or real(path))
    on_disk = BuildDir(copy).key_on_disk()
    assert BuildDir(copy).digest() == real(copy / MANIFEST) and hashed == []
    # the same size, another student's name and a later time: hashed, found stale, remade
    path = copy / MANIFEST
    text = path.read_text()
    name = manifest["students"][0]["name"]
    path.write_text(text.replace(f'"name": "{name}"', '"name": "' + "Z" * len(name) + '"', 1))
    reading = BuildDir(copy)
    digest = reading.digest()
    assert hashed == [path] and digest != on_disk.manifest_sha256
    remade = reading.key(digest)
    assert remade is not reading.key_on_disk() and remade.manifest_sha256 == digest


def test_error_carried_forward_reads_only_the_params_where_the_key_knows_them(exam):
    out, bank, key, manifest = exam
    with BuildDir(out) as reader:
        for i, student in enumerate(manifest["students"]):
            for k, question in enumerate(student["questions"]):
                carrying = reader.for_carrying(i, k)
                if question["variant"].get("choices"):
                    assert carrying == question  # a choice's options carry forward: the whole record
                    continue
                assert 0 < key.offsets[i, k, 3] < key.offsets[i, k, 1]  # the params alone, not the record
                assert carrying["template_id"] == question["template_id"]
                assert carrying["variant"] == {"params": question["variant"]["params"], "choices": {}}
                columns = [p["column"] for p in question["parts"]]
                assert [p["column"] for p in carrying["parts"]][:len(columns)] == columns


def test_the_keys_params_are_the_manifests_and_carrying_reads_no_manifest(exam, monkeypatch):
    """Error carried forward takes each question's params from the key, never reading manifest.json
    for them; they are the params of the question's record read from the manifest."""
    import os

    out, bank, key, manifest = exam
    assert key.params is not None and BuildDir(out).read_key().params is not None
    reads = []
    real_pread = os.pread
    monkeypatch.setattr(directory.os, "pread", lambda *a: reads.append(a) or real_pread(*a))
    with BuildDir(out) as reader:
        for i, student in enumerate(manifest["students"]):
            for k, question in enumerate(student["questions"]):
                if question["variant"].get("choices"):
                    continue
                before = len(reads)
                carrying = reader.for_carrying(i, k)
                assert len(reads) == before  # from the key alone
                assert carrying["variant"]["params"] == question["variant"]["params"]
                assert reader.question(i, k)["variant"]["params"] == carrying["variant"]["params"]
                assert len(reads) == before + 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.binary(max_size=40), max_size=4), max_size=30), st.integers(1, 5))
def test_the_params_store_gives_back_each_text_across_blocks(texts, per_block):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(params, "PARAMS_BLOCK", per_block)
        store = params.ParamsStore.from_texts(texts)
    assert store.per_block == per_block  # read back by the block size it was written with
    wanted = [(i, k, text or None) for i, row in enumerate(texts) for k, text in enumerate(row)]
    for i, k, text in wanted[::-1] + wanted:  # backwards too: blocks evicted and inflated again
        assert store.get(i, k) == text
