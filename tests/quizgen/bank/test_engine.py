"""The question engine: seeds, secrecy, determinism, freezing, ECF, named mistakes, loading."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.bank.loader import load_bank, load_template
from quizgen.bank.marking import grade
from quizgen.bank.question import TemplateError, Variant
from quizgen.bank.seeds import rng_for, variant_seed
from reference_impl.activations import tanh

TEMPLATE = "rnn.forward_two_steps"


@pytest.fixture(scope="module")
def template():
    return load_bank().get(TEMPLATE)


def _exam_variant(template, secret=b"s3cret", student="s001", slot=1):
    seed = variant_seed(secret, "final-2026", student, slot, template.id, template.version)
    return template.draw(rng_for(seed), "exam")


def test_seed_depends_on_every_field_and_the_secret():
    base = ("final", "s001", 1, "rnn.x", 1)
    seeds = {variant_seed(b"k", *base)}
    for i in range(5):
        changed = list(base)
        changed[i] = f"{changed[i]}x" if isinstance(changed[i], str) else changed[i] + 1
        seeds.add(variant_seed(b"k", *changed))
    seeds.add(variant_seed(b"other", *base))
    assert len(seeds) == 7
    assert variant_seed(b"k", *base) == variant_seed(b"k", *base)
    with pytest.raises(ValueError, match="secret"):
        variant_seed(b"", *base)


def test_another_secret_gives_another_variant(template):
    a = _exam_variant(template, b"one secret")
    b = _exam_variant(template, b"another secret")
    assert a.params != b.params


def test_same_inputs_give_byte_identical_variants_across_processes(template):
    code = textwrap.dedent(f"""
        from quizgen.bank.loader import load_bank
        from quizgen.bank.seeds import rng_for, variant_seed
        t = load_bank().get({TEMPLATE!r})
        seed = variant_seed(b"s3cret", "final-2026", "s001", 1, t.id, t.version)
        print(t.draw(rng_for(seed), "exam").dumps())
    """)
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True).stdout for _ in range(2)}
    assert len(outputs) == 1
    assert outputs.pop().strip() == _exam_variant(template).dumps()


def test_key_is_the_reference_forward_pass(template):
    """The key of the template equals the RNN recurrence computed directly from the printed params."""
    v = template.draw(rng_for(11), "11")
    p = {k: np.array(val) for k, val in v.params.items()}
    h1 = tanh(p["W_hh"] @ p["h0"] + p["W_xh"] @ p["x"][0] + p["b_h"])
    h2 = tanh(p["W_hh"] @ h1 + p["W_xh"] @ p["x"][1] + p["b_h"])
    np.testing.assert_allclose(v.answers["h1"], h1, rtol=1e-12)
    np.testing.assert_allclose(v.answers["h2"], h2, rtol=1e-12)


def test_freeze_roundtrip(template):
    v = template.draw(rng_for(3), "3")
    again = Variant.from_json(json.loads(v.dumps()))
    assert again == v and again.dumps() == v.dumps()


def test_no_global_random_state_is_touched(template):
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    template.draw(rng_for(5), "5")
    assert np.random.random() == before


def _fmt(vec):
    return " ".join(f"{x:.4f}" for x in vec)


def test_error_carried_forward(template):
    v = template.draw(rng_for(21), "21")
    p = {k: np.array(val) for k, val in v.params.items()}
    wrong_h1 = np.array(v.answers["h1"]) + np.array([0.3, -0.2])
    h2_from_wrong = tanh(p["W_hh"] @ wrong_h1 + p["W_xh"] @ p["x"][1] + p["b_h"])
    result = grade(template, v, {"h1": _fmt(wrong_h1), "h2": _fmt(h2_from_wrong)})
    assert [r.status for r in result.parts] == ["wrong", "ecf"]
    assert result.earned == 1
    no_ecf = grade(template, v, {"h1": _fmt(wrong_h1), "h2": _fmt(h2_from_wrong)}, ecf=False)
    assert [r.status for r in no_ecf.parts] == ["wrong", "wrong"]


def test_hand_rounded_intermediates_are_accepted(template):
    v = template.draw(rng_for(4), "4")
    result = grade(template, v, {"h1": _fmt(v.hand_answers["h1"]), "h2": _fmt(v.hand_answers["h2"])})
    assert result.earned == result.possible


def test_named_mistake_is_named(template):
    v = template.draw(rng_for(8), "8")
    wrong = v.mistakes["no_bias"]
    result = grade(template, v, {"h1": _fmt(wrong["h1"]), "h2": _fmt(wrong["h2"])}, ecf=False)
    assert result.parts[0].status == "wrong" and result.parts[0].mistake == "no_bias"
    assert "bias" in result.parts[0].feedback


def test_invalid_and_blank_are_not_wrong(template):
    v = template.draw(rng_for(8), "8")
    result = grade(template, v, {"h1": "0.1 zero", "h2": "  "})
    assert [r.status for r in result.parts] == ["invalid", "blank"]
    assert "not a number" in result.parts[0].feedback


def test_degenerate_forever_fails_loudly(tmp_path):
    (tmp_path / "always_bad.py").write_text(textwrap.dedent('''
        from quizgen.bank.kinds import Number
        from quizgen.bank.question import Part, Redraw
        TITLE = "t"; VERSION = 1
        PARTS = [Part("y", Number())]
        STEM = "x"; SOLUTION = "y"
        def generate(rng):
            raise Redraw("the gate saturates")
        def solve(p, work):
            work.answer("y", 1.0)
    '''))
    template = load_template(tmp_path / "always_bad.py")
    with pytest.raises(TemplateError, match="200 draws in a row.*the gate saturates"):
        template.draw(rng_for(0))


def test_mistake_equal_to_key_forces_a_redraw(tmp_path):
    (tmp_path / "coincide.py").write_text(textwrap.dedent('''
        from quizgen.bank.kinds import Number
        from quizgen.bank.question import Part
        TITLE = "t"; VERSION = 1
        PARTS = [Part("y", Number(decimals=2))]
        MISTAKES = {"dropped_sign": "the sign was dropped"}
        STEM = "x = {{ p.x }}"; SOLUTION = "y"
        def generate(rng):
            return {"x": float(rng.integers(-3, 4))}
        def solve(p, work):
            x = abs(p["x"]) if work.made("dropped_sign") else p["x"]
            work.answer("y", x)
    '''))
    template = load_template(tmp_path / "coincide.py")
    for seed in range(30):
        v = template.draw(rng_for(seed))
        assert v.params["x"] < 0  # x >= 0 makes the mistake equal the key: always redrawn


def test_broken_user_template_is_reported_and_others_load(tmp_path):
    (tmp_path / "syntax.py").write_text("TITLE = 'x'\ndef oops(:\n")
    (tmp_path / "incomplete.py").write_text("TITLE = 'incomplete'\n")
    (tmp_path / "rnn").mkdir()  # the same folder and file name as a bundled template: the same id
    (tmp_path / "rnn" / "forward_two_steps.py").write_text((load_bank().get(TEMPLATE).path).read_text())
    bank = load_bank([tmp_path])
    assert TEMPLATE in bank.templates
    joined = "\n".join(bank.errors)
    assert "syntax.py: SyntaxError" in joined
    assert "incomplete.py: missing" in joined and "generate" in joined
    assert f"{tmp_path / 'rnn' / 'forward_two_steps.py'}: id 'rnn.forward_two_steps' is already used" in joined


def test_far_off_earlier_answer_does_not_crash_ecf(template):
    """A template that redraws on saturation inside solve must not crash grading."""
    v = template.draw(rng_for(1), "1")
    result = grade(template, v, {"h1": "100 100", "h2": "0.5 0.5"})
    assert [r.status for r in result.parts] == ["wrong", "wrong"]


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                 st.integers(-10**7, 10**7).map(lambda k: k / 2 ** 9),     # exact ties at many decimals
                 st.integers(-10**6, 10**6).map(lambda k: k * 1e-4 + 5e-5)),
       st.integers(0, 12))
def test_hand_rounding_is_numpys_bit_for_bit(x, decimals):
    import math

    from quizgen.bank.question import round_like_numpy

    with np.errstate(over="ignore"):  # numpy itself overflows on x * 10**d for the largest floats
        ours, numpys = round_like_numpy(x, decimals), float(np.round(x, decimals))
    assert ours == numpys and math.copysign(1, ours) == math.copysign(1, numpys), (x, decimals, ours, numpys)


def test_a_student_value_that_would_saturate_the_key_still_earns_error_carried_forward(template):
    """Issue 14: rnn.forward_two_steps rejected saturated draws with ``raise Redraw`` inside solve,
    which also fired when grading replayed solve with a student's sign-flipped h_1 (|a_2| > 3):
    error carried forward was silently denied. Seed 15 is such a draw; h_2 is worked by hand here."""
    variant = template.draw(rng_for(15), "15")
    p = {k: np.array(v, dtype=float) for k, v in variant.params.items()}
    h1 = np.round(np.tanh(p["W_hh"] @ p["h0"] + p["W_xh"] @ p["x"][0] + p["b_h"]), 4)
    wrong_h1 = -h1                                    # the sign slip
    a2 = p["W_hh"] @ wrong_h1 + p["W_xh"] @ p["x"][1] + p["b_h"]
    assert np.max(np.abs(a2)) > 3                     # the key's own draw would be rejected for this
    h2 = np.tanh(a2)
    typed = {"h1": f"[{wrong_h1[0]:.4f}, {wrong_h1[1]:.4f}]", "h2": f"[{h2[0]:.4f}, {h2[1]:.4f}]"}
    result = grade(template, variant, typed)
    assert [r.status for r in result.parts] == ["wrong", "ecf"]


def test_check_fails_a_template_that_still_raises_redraw_inside_solve(tmp_path):
    """`quizgen check` replays solve with a student's values: a bare ``raise Redraw`` there fails."""
    from quizgen.bank.check import check_template

    folder = tmp_path / "old"
    folder.mkdir()
    source = (load_bank().get(TEMPLATE).path).read_text()
    source = source.replace('work.reject("a pre-activation saturates tanh")',
                            'raise Redraw("a pre-activation saturates tanh")')
    assert "raise Redraw(\"a pre-activation" in source
    (folder / "forward_two_steps.py").write_text(source)
    old = load_bank(extra_folders=[tmp_path]).get("old.forward_two_steps")
    report = check_template(old, seeds=20)
    assert not report.ok
    assert any("work.reject" in message and "h1" in message for _, message in report.failures)
    assert check_template(load_bank().get(TEMPLATE), seeds=20).ok
