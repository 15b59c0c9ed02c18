"""quizgen practice: a scripted student types answers; the session never crashes on what is typed."""

import io
import re
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizgen.bank.loader import load_bank
from quizgen.practice.terminal import MAX_RETRIES, practice_pool, run_practice, scripted
from quizgen.practice.termmath import to_terminal

RNN = "rnn.forward_two_steps"   # two vector parts, named mistakes


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def session(bank, answers, **kwargs):
    """Run a session on scripted answers; return (summary, transcript)."""
    out = io.StringIO()
    kwargs.setdefault("n", 1)
    summary = run_practice(bank, input_fn=scripted(answers), out=out, **kwargs)
    return summary, out.getvalue()


def variant_of(bank, seed, ids=(RNN,), n=1, index=0):
    """The variant a session with this seed asks (an immediate end of input reveals it)."""
    summary, _ = session(bank, [], seed=seed, ids=ids, n=n)
    assert summary.ended == "eof"
    return summary.questions[index]


def typed(template, variant, part, which="answers"):
    kind = template.part(part).kind
    return kind.format(kind.from_json(getattr(variant, which)[part]))


def test_right_answers_score_full_marks(bank):
    record = variant_of(bank, seed=11)
    template = bank.get(RNN)
    answers = [typed(template, record.variant, "h1"), typed(template, record.variant, "h2"), ""]
    summary, out = session(bank, answers, seed=11, ids=(RNN,))
    assert summary.ended == "finished"
    assert summary.earned == summary.possible == 2
    assert out.count("✓ Correct") == 2
    assert "══ Summary ══" in out and "rnn" in out and "2 of 2 points (100%)" in out
    assert summary.by_topic["rnn"].questions == 1 and not summary.missed
    assert "Retry" not in out


def test_hand_key_and_tolerance_are_named(bank):
    template = bank.get(RNN)
    record = variant_of(bank, seed=11)
    key = template.part("h1").kind.from_json(record.variant.answers["h1"])
    nudged = "[" + ", ".join(f"{v + 0.00004:.6f}" for v in key) + "]"   # inside ±0.0001
    summary, out = session(bank, [nudged, typed(template, record.variant, "h2", "hand_answers"), ""],
                           seed=11, ids=(RNN,))
    assert summary.earned == 2
    assert "within tolerance (±0.0001)" in out


def test_wrong_answer_names_the_mistake_and_retry_uses_the_same_variant(bank):
    template = bank.get(RNN)
    record = variant_of(bank, seed=11)
    mistake = next(m for m, a in record.variant.mistakes.items() if "h1" in a)
    kind = template.part("h1").kind
    wrong = kind.format(kind.from_json(record.variant.mistakes[mistake]["h1"]))
    right = [typed(template, record.variant, p) for p in ("h1", "h2")]
    answers = [wrong, right[1], "", "y", *right, ""]
    summary, out = session(bank, answers, seed=11, ids=(RNN,))
    assert "✗ Wrong: it looks like " + to_terminal(template.mistakes[mistake]) in out
    assert summary.questions[0].result.parts[0].mistake == mistake
    assert summary.missed and summary.missed[0].template_id == RNN
    assert "Retry the 1 missed question with the same numbers?" in out
    assert summary.retries and summary.retries[0].variant == record.variant
    assert summary.retries[0].full_marks
    assert "Every missed question is now right" in out
    assert summary.earned == 1  # the first pass's score stands


def test_retry_declined_and_eof_at_the_offer(bank):
    summary, out = session(bank, ["0 0", "0 0", "", "n"], seed=11, ids=(RNN,))
    assert summary.ended == "finished" and not summary.retries and summary.earned == 0
    summary, out = session(bank, ["0 0", "0 0", ""], seed=11, ids=(RNN,))
    assert summary.ended == "finished" and "End of input" in out


def test_invalid_answer_is_asked_again_then_accepted(bank):
    template = bank.get(RNN)
    record = variant_of(bank, seed=11)
    answers = ["[0.1, abc]", "[0.1, 0.2, 0.3]", typed(template, record.variant, "h1"),
               typed(template, record.variant, "h2"), ""]
    summary, out = session(bank, answers, seed=11, ids=(RNN,))
    assert "Cannot read that: 'abc' is not a number" in out
    assert "expected 2 numbers, got 3" in out
    assert summary.questions[0].invalid_attempts == 2
    assert summary.earned == 2


def test_invalid_too_often_counts_as_invalid(bank):
    answers = ["x"] * (MAX_RETRIES + 1) + ["0 0", ""]
    summary, out = session(bank, answers, seed=11, ids=(RNN,))
    assert summary.questions[0].result.parts[0].status == "invalid"
    assert "counted as invalid" in out
    assert summary.questions[0].invalid_attempts == MAX_RETRIES


def test_eof_in_the_middle_ends_with_a_summary(bank):
    summary, out = session(bank, ["0.1 0.2"], seed=3, n=3, topics=("rnn",))
    assert summary.ended == "eof"
    assert "End of input" in out and "══ Summary ══" in out
    assert not summary.questions[0].complete and summary.possible == 0
    assert "not counted, unfinished" in out


@pytest.mark.parametrize("word", ["q", "Q", "quit", " exit "])
def test_q_quits(bank, word):
    summary, out = session(bank, [word], seed=3, n=3, topics=("rnn",))
    assert summary.ended == "quit" and "You quit." in out and "══ Summary ══" in out


def test_ctrl_c_ends_gracefully(bank):
    calls = []

    def interrupting(prompt=""):
        calls.append(prompt)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return "0 0"

    out = io.StringIO()
    summary = run_practice(bank, ids=(RNN,), n=1, seed=1, input_fn=interrupting, out=out)
    assert summary.ended == "interrupt" and "Interrupted." in out.getvalue()


def test_solution_on_request_always_and_never(bank):
    summary, out = session(bank, ["s"], seed=11, ids=(RNN,))
    assert "Worked solution:" in out and "$" not in out.split("Worked solution:")[1]
    assert summary.questions[0].solution_shown and summary.questions[0].complete
    assert summary.possible == 2 and summary.earned == 0  # what was not answered counts as unanswered
    _, out = session(bank, ["0 0", "0 0", "s", "n"], seed=11, ids=(RNN,))
    assert "Worked solution:" in out
    _, out = session(bank, ["0 0", "0 0", "n"], seed=11, ids=(RNN,), show_solution="always")
    assert "Worked solution:" in out and "Enter: next question" not in out
    summary, out = session(bank, ["s", "0 0", "0 0"], seed=11, ids=(RNN,), show_solution="never")
    assert "turned off" in out and "Worked solution:" not in out and summary.ended == "finished"
    with pytest.raises(ValueError):
        run_practice(bank, show_solution="sometimes")


def test_stem_is_unicode_math_and_choice_letters_work(bank):
    concept = next(t for t in practice_pool(bank, topics=("lstm",)) if "single" in t.tags)
    record = variant_of(bank, seed=2, ids=(concept.id,))
    key = sorted(record.variant.answers["choice"])[0]
    summary, out = session(bank, [f"({key.lower()})", ""], seed=2, ids=(concept.id,))
    assert summary.earned == 1 and "$" not in out.split("══")[0]
    assert "the letter of one option" in out


def test_seeded_sessions_repeat_and_fresh_ones_differ(bank):
    a = variant_of(bank, seed=5, ids=(), n=4)
    b = variant_of(bank, seed=5, ids=(), n=4)
    assert a.variant == b.variant
    s1, out = session(bank, [], topics=("gru", "lstm"), n=4)
    s2, _ = session(bank, [], topics=("gru", "lstm"), n=4)
    assert s1.entropy != s2.entropy and f"seed {s1.entropy}" in out


def test_per_topic_summary(bank):
    answers = ["1"] * 60
    summary, out = session(bank, answers, seed=8, n=4, topics=("cnn", "gru"), retry_missed=False)
    assert summary.ended in ("finished", "eof")
    topics = summary.by_topic
    assert set(topics) <= {"cnn", "gru"}
    assert sum(t.questions for t in topics.values()) == len(summary.counted)
    assert abs(sum(t.possible for t in topics.values()) - summary.possible) < 1e-9
    for topic in topics:
        assert f"  {topic}" in out


def test_n_larger_than_the_pool_and_empty_selection(bank):
    pool = practice_pool(bank, ids=(RNN, "lstm.cell_step"))
    assert len(pool) == 2
    summary, _ = session(bank, [""] * 30, seed=1, ids=(RNN, "lstm.cell_step"), n=5, retry_missed=False)
    assert len(summary.questions) == 5
    summary, out = session(bank, [], topics=("nope",))
    assert summary.ended == "empty" and "No questions match" in out


def test_builtin_input_reads_stdin(bank, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("0 0\n0 0\n\nn\n"))
    summary = run_practice(bank, ids=(RNN,), n=1, seed=11)
    assert summary.ended == "finished"
    assert "══ Summary ══" in capsys.readouterr().out


TYPED = st.text(alphabet=st.sampled_from(list("0123456789.,;:-+eE/xX×*^() []{}\n\tsqSyYnabT−\u00a0%'?")),
                max_size=25) | st.text(max_size=25) | st.sampled_from(["s", "q", "y", "", "?", "solution"])


@given(answers=st.lists(TYPED, max_size=25))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
def test_fuzz_never_raises(bank, answers):
    summary, out = session(bank, answers, seed=4, n=3, topics=("rnn", "cnn"))
    assert summary.ended in ("finished", "quit", "eof")
    assert "══ Summary ══" in out


LSTM = "lstm.cell_step"  # six numbers, each rounded to 4 decimals


def test_three_decimals_where_four_are_asked_is_said(bank):
    from quizgen.bank.question import accepted_interval

    template = bank.get(LSTM)
    part = template.parts[0]
    assert part.kind.describe() == "a number rounded to 4 decimals"
    for seed in range(60):  # a variant whose key rounded to 3 decimals lies outside what is accepted
        record = variant_of(bank, seed, ids=(LSTM,))
        key = record.variant.answers[part.name]
        interval = accepted_interval(part, record.variant)
        typed3 = f"{key:.3f}"
        if not interval["lo"] <= float(typed3) <= interval["hi"]:
            break
    else:
        pytest.fail("no variant where 3 decimals are wrong")
    summary, out = session(bank, [typed3] + [""] * (len(template.parts) - 1) + ["", "n"], seed=seed, ids=(LSTM,))
    assert summary.questions[0].result.parts[0].status == "wrong"
    assert "✗ Wrong: you gave 3 decimals, 4 are asked." in out
    # a wrong number with 3 decimals (not the key rounded) is not told it is a matter of decimals
    off = f"{key + 0.05:.3f}"
    _, out = session(bank, [off] + [""] * (len(template.parts) - 1) + ["", "n"], seed=seed, ids=(LSTM,))
    verdict = next(line for line in out.splitlines() if "✗ Wrong" in line)
    assert verdict.strip() == "✗ Wrong: not the key.", verdict


def test_a_partly_right_multiple_selection_names_the_options(bank):
    concept = next(t for t in practice_pool(bank) if "multiple" in t.tags and len(t.parts) == 1)
    record = variant_of(bank, seed=3, ids=(concept.id,))
    kind = concept.parts[0].kind
    right = sorted(record.variant.answers[concept.parts[0].name])
    wrong = kind.wrong_letters(frozenset(right))[0]
    assert len(right) >= 2, right
    chosen = [right[0], wrong]
    missing = right[1:]
    summary, out = session(bank, [" ".join(chosen), "", "n"], seed=3, ids=(concept.id,))
    missing_text = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
    expected = (f"✗ Wrong: {right[0]} is right, {wrong} is not, {missing_text} "
                f"{'is' if len(missing) == 1 else 'are'} missing.")
    assert expected in " ".join(out.split()), out
    # every chosen option right, one missing: all-or-nothing says every right option is needed
    _, out = session(bank, [" ".join(right[:-1]), "", "n"], seed=3, ids=(concept.id,))
    assert f"{right[-1]} is missing (every right option is needed for full marks)." in " ".join(out.split())
    # scored per option, the same answer is partly right and says which options
    _, out = session(bank, [" ".join(right[:-1]), "", "n"], seed=3, ids=(concept.id,), credit="partial")
    share = Fraction(kind.credit(frozenset(right[:-1]), frozenset(right), "partial")).limit_denominator(100)
    assert 0 < share < 1
    assert f"◐ Partly right ({share} of the points): " in out
    assert f"{right[-1]} is missing" in " ".join(out.split())


def test_each_question_has_a_repeat_code_that_draws_it_again(bank):
    from quizgen.practice import repeatcode

    summary, out = session(bank, [], seed=8, n=3, topics=("rnn", "lstm"))
    assert "session seed 8" in out
    for record in summary.questions:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", record.code), record.code
        assert f"repeat code {record.code}" in out
        template = repeatcode.template_of(bank, record.code)
        assert template.id == record.template_id
        assert repeatcode.draw(template, record.code) == record.variant
        assert repeatcode.draw(template, record.code.lower()) == record.variant   # as typed by hand
    codes = [r.code for r in summary.questions]
    again, out = session(bank, [], repeat=codes)
    assert [r.variant for r in again.questions][:1] == [summary.questions[0].variant]
    assert again.ended == "eof"
    with pytest.raises(repeatcode.RepeatCodeError, match="not a repeat code"):
        session(bank, [], repeat=["12345"])


def test_missed_questions_name_their_repeat_codes(bank):
    summary, out = session(bank, ["0 0", "0 0", "", "n"], seed=11, ids=(RNN,))
    code = summary.questions[0].code
    assert f"Missed: {RNN} ({code})" in out
    assert f"quizgen practice --repeat {code}" in out
