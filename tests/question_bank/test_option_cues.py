"""A test-wise student cannot pass the bank's choice items on cues in the options' wording.

Each cue is a strategy such a student uses without knowing the subject: pick the longest option,
pick the shortest or a middle-length one, avoid options with absolute words, pick the option whose article agrees with the stem, pick the
option repeating the stem's words. Over the bank's single-answer items each strategy must score
near chance (a quarter for four options), at most about a third; over the multi-answer items,
every correct option longer than every distractor in at most about a third of them, and the number
of correct options must vary. The figures are in every assertion message.
"""

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

BANK = Path(__file__).resolve().parents[2] / "question_bank"
ABOUT_A_THIRD = 0.34
ABSOLUTE = {"always", "never", "only", "all", "none", "every", "any", "cannot", "must", "completely",
            "entirely", "guarantees", "guaranteed"}
STOP = {"the", "a", "an", "of", "to", "in", "and", "or", "is", "are", "be", "by", "for", "on", "with", "as",
        "at", "it", "its", "that", "this", "which", "what", "from", "into", "than", "not", "does", "do", "their",
        "each", "one", "so", "when", "how", "why", "can", "has", "have", "was", "were", "but", "if", "then"}


def items(kind):
    out = []
    for path in sorted(BANK.glob("*/concepts.toml")):
        out += [q for q in tomllib.loads(path.read_text(encoding="utf-8"))["question"] if q["type"] == kind]
    return out


def words(text):
    """Lower-case words of an option or stem, its LaTeX commands and math left out."""
    text = re.sub(r"\$[^$]*\$", " ", text)
    return re.findall(r"[a-z][a-z'-]*", text.lower())


def content(text):
    return {w for w in words(text) if w not in STOP and len(w) > 2}


def visible_length(text):
    """The length a reader sees: math counted by its symbols, not by its LaTeX commands."""
    return len(re.sub(r"\\[a-zA-Z]+|[{}_^$\\ ]", "", text))


def options(item):
    return [(o, True) for o in item["correct"]] + [(o, False) for o in item["distractors"]]


def key_is_longest(item):
    key, *rest = [visible_length(o) for o, _ in options(item)]
    return key >= max(rest)


def key_is_shortest(item):
    key, *rest = [visible_length(o) for o, _ in options(item)]
    return key <= min(rest)


def middle_length_score(item):
    """A student's chance when guessing among the options that are neither the longest nor the shortest
    (trimming every key to below the distractors would make this the cue)."""
    lengths = [visible_length(o) for o, _ in options(item)]
    middle = [right for (o, right), n in zip(options(item), lengths) if min(lengths) < n < max(lengths)]
    middle = middle or [right for _, right in options(item)]
    return sum(middle) / len(middle)


def absolute(text):
    return bool(ABSOLUTE & set(words(text)))


def avoid_absolute_score(item):
    """A student's chance when guessing among the options without absolute words (all if none is)."""
    kept = [right for o, right in options(item) if not absolute(o)] or [right for _, right in options(item)]
    return sum(kept) / len(kept)


def article_score(item):
    """A student's chance when guessing among the options that agree with a stem ending in a/an."""
    last = words(item["stem"])[-1:]
    if last not in (["a"], ["an"]):
        return 1 / len(options(item))
    vowel = last == ["an"]
    agree = [right for o, right in options(item) if (words(o)[:1] or ["x"])[0][0] in "aeiou" and vowel
             or (words(o)[:1] or ["a"])[0][0] not in "aeiou" and not vowel]
    agree = agree or [right for _, right in options(item)]
    return sum(agree) / len(agree)


def stem_words_score(item):
    """A student's chance when guessing among the options sharing the most content words with the stem."""
    stem = content(item["stem"])
    overlap = [(len(content(o) & stem), right) for o, right in options(item)]
    best = max(n for n, _ in overlap)
    kept = [right for n, right in overlap if n == best]
    return sum(kept) / len(kept)


def figures():
    single, multiple = items("single"), items("multiple")
    chance = sum(1 / len(options(q)) for q in single) / len(single)
    ratio = [visible_length(q["correct"][0]) / (sum(visible_length(d) for d in q["distractors"])
                                               / len(q["distractors"])) for q in single]
    correct_counts = Counter(len(q["correct"]) for q in multiple)
    multi_options = [o for q in multiple for o in options(q)]
    return {
        "single items": len(single),
        "chance": round(chance, 3),
        "key longest": round(sum(map(key_is_longest, single)) / len(single), 3),
        "key shortest": round(sum(map(key_is_shortest, single)) / len(single), 3),
        "middle-length score": round(sum(map(middle_length_score, single)) / len(single), 3),
        "key/distractor length mean": round(sum(ratio) / len(ratio), 2),
        "key/distractor length max": round(max(ratio), 2),
        "avoid-absolute score": round(sum(map(avoid_absolute_score, single)) / len(single), 3),
        "article score": round(sum(map(article_score, single)) / len(single), 3),
        "stem-words score": round(sum(map(stem_words_score, single)) / len(single), 3),
        "multiple items": len(multiple),
        "every correct longer": round(sum(
            min(visible_length(o) for o in q["correct"]) > max(visible_length(o) for o in q["distractors"])
            for q in multiple) / len(multiple), 3),
        "every correct shorter": round(sum(
            max(visible_length(o) for o in q["correct"]) < min(visible_length(o) for o in q["distractors"])
            for q in multiple) / len(multiple), 3),
        "correct counts": dict(sorted(correct_counts.items())),
        "absolute words in correct": sum(absolute(o) for o, right in multi_options if right)
        + sum(absolute(q["correct"][0]) for q in single),
        "absolute words in distractors": sum(absolute(o) for o, right in multi_options if not right)
        + sum(absolute(o) for q in single for o in q["distractors"]),
        "correct options": sum(right for _, right in multi_options) + len(single),
        "distractors": sum(not right for _, right in multi_options) + sum(len(q["distractors"]) for q in single),
    }


@pytest.fixture(scope="module")
def stats():
    return figures()


@pytest.mark.parametrize("cue", ["key longest", "key shortest", "middle-length score", "avoid-absolute score", "article score", "stem-words score"])
def test_no_cue_in_single_answer_items_beats_chance_by_much(stats, cue):
    assert stats[cue] <= ABOUT_A_THIRD, f"{cue} {stats[cue]} over {ABOUT_A_THIRD}; all figures: {stats}"


@pytest.mark.parametrize("cue", ["every correct longer", "every correct shorter"])
def test_correct_options_of_multi_answer_items_are_not_told_by_length(stats, cue):
    assert stats[cue] <= ABOUT_A_THIRD, f"{cue} {stats[cue]} over {ABOUT_A_THIRD}; all figures: {stats}"


def test_the_number_of_correct_options_varies(stats):
    counts = stats["correct counts"]
    assert len(counts) >= 3 and max(counts.values()) <= stats["multiple items"] / 2, f"all figures: {stats}"


def test_absolute_words_are_not_a_mark_of_distractors(stats):
    """An absolute word is in a correct option about as often, per option, as in a distractor."""
    in_correct = stats["absolute words in correct"] / stats["correct options"]
    in_distractors = stats["absolute words in distractors"] / stats["distractors"]
    assert in_correct >= in_distractors / 2, f"rate {in_correct:.3f} vs {in_distractors:.3f}; all figures: {stats}"


def test_article_at_the_end_of_a_stem_agrees_with_every_option():
    """No stem ends with "a" or "an" that only some options follow grammatically."""
    odd = [q["id"] for q in items("single") + items("multiple") if words(q["stem"])[-1:] in (["a"], ["an"])]
    assert not odd, f"stems ending with an article: {odd}"


# words that make a title a claim ("Clipping by norm keeps the direction"), which a true/false item's
# title must not be: it would give the answer away before the stem is read
CLAIM_WORDS = {"is", "are", "keeps", "implies", "feeds", "needs", "causes", "has", "have", "gives", "makes",
               "cannot", "always", "never", "only", "equals"}


def title_giveaways(item):
    """What in an item's title (shown to students in practice and on the self-check page) answers it:
    for a choice item, the words of the title in a correct option, in no distractor and not in the stem;
    for a true/false item, a claim word in a title that is not a question."""
    title = item.get("title", "")
    if item["type"] == "truefalse":
        return set() if title.endswith("?") else set(words(title)) & CLAIM_WORDS
    correct = set().union(*(content(o) for o in item["correct"]))
    distractors = set().union(*(content(o) for o in item["distractors"]))
    return content(title) & (correct - distractors - content(item["stem"]))


def test_no_title_gives_the_answer_away():
    found = {q["id"]: sorted(title_giveaways(q)) for kind in ("single", "multiple", "truefalse")
             for q in items(kind) if title_giveaways(q)}
    assert not found, f"titles that answer their item: {found}"


if __name__ == "__main__":
    for name, value in figures().items():
        print(f"{name:32} {value}")
