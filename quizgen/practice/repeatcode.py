"""Repeat codes: eight characters that name one practice variant, to draw it again.

A code is 40 bits in Crockford's base 32 (digits and capitals without I, L, O, U; read back
forgiving of case, of ``O`` for 0 and ``I``/``L`` for 1, and of spaces and dashes): 20 bits
name the template (the first bits of the SHA-256 of its id) and 20 the seed its variant is drawn
with, the seed ``quizgen show ID --seed N`` takes. So ``quizgen practice --repeat CODE`` finds the
template and draws the same variant, and ``quizgen show ID --code CODE`` shows it (refusing a code
made for another template: most typos). The seed is not secret: practice variants never are;
an exam's variants come from the exam secret (:mod:`quizgen.bank.seeds`).
"""

from __future__ import annotations

import hashlib

from quizgen.bank.seeds import rng_for

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TAG_BITS = 20
SEED_BITS = 20
SEEDS = 2 ** SEED_BITS  # seeds 0 to SEEDS - 1 have a code
LENGTH = (TAG_BITS + SEED_BITS) // 5
_READ_AS = {"O": "0", "I": "1", "L": "1"}


class RepeatCodeError(ValueError):
    """A code that is not a repeat code, or names no template (or not the one asked for)."""


def template_tag(template_id: str) -> int:
    """The 20 bits of a code that name the template."""
    digest = hashlib.sha256(template_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") >> (32 - TAG_BITS)


def encode(template_id: str, seed: int) -> str:
    """The code of the variant ``template_id`` draws with ``seed`` (0 <= seed < SEEDS)."""
    if not 0 <= seed < SEEDS:
        raise RepeatCodeError(f"a repeat code holds a seed from 0 to {SEEDS - 1}, not {seed}")
    number = template_tag(template_id) << SEED_BITS | seed
    return "".join(ALPHABET[number >> (5 * k) & 31] for k in reversed(range(LENGTH)))


def decode(code: str) -> tuple:
    """``(template tag, seed)`` of a code; RepeatCodeError naming what is wrong with it."""
    text = "".join(_READ_AS.get(c, c) for c in str(code).upper() if c not in " -")
    if len(text) != LENGTH or any(c not in ALPHABET for c in text):
        raise RepeatCodeError(f"{code!r} is not a repeat code: {LENGTH} letters and digits, such as "
                         f"{encode('rnn.forward_two_steps', 7)}")
    number = 0
    for c in text:
        number = number << 5 | ALPHABET.index(c)
    return number >> SEED_BITS, number & (SEEDS - 1)


def template_of(bank, code: str, templates=None):
    """The template of the bank (or of ``templates``) a code names; RepeatCodeError when none or several do."""
    tag, _ = decode(code)
    found = [t for t in (templates if templates is not None else bank.templates.values())
             if template_tag(t.id) == tag]
    if not found:
        raise RepeatCodeError(f"no template here has the repeat code {code!r} (a typo, or a template of "
                         "another --bank?)")
    if len(found) > 1:
        raise RepeatCodeError(f"the repeat code {code!r} fits {', '.join(t.id for t in found)}: "
                         f"use quizgen show ID --code {code}")
    return found[0]


def draw(template, code: str, form: str = "typed", size: str = "calculator"):
    """The variant of ``template`` a code names (its seed label is the code); RepeatCodeError
    for a code made for another template."""
    tag, seed = decode(code)
    if tag != template_tag(template.id):
        raise RepeatCodeError(f"the repeat code {code!r} is not one of {template.id}")
    return template.draw(rng_for(seed), canonical(code), form=form, size=size)


def canonical(code: str) -> str:
    """A code as it is printed (capitals, no spaces or dashes)."""
    tag, seed = decode(code)
    number = tag << SEED_BITS | seed
    return "".join(ALPHABET[number >> (5 * k) & 31] for k in reversed(range(LENGTH)))
