"""Seeds: every variant's random stream is derived, never drawn from global state.

An exam variant's seed is ``HMAC-SHA256(exam secret, exam id | student id |
slot | template id | template version)`` read as a 256-bit integer, which
seeds numpy's PCG64 through a SeedSequence. Without the secret nobody (a
student holding the open-source generator and their own exam included) can
reproduce another student's key. ``show --seed N`` previews with a plain seed.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np

SEPARATOR = "\x1f"  # the ASCII unit separator never appears in ids, so fields cannot run together


def variant_seed(secret: bytes, exam_id: str, student_id: str, slot: int | str,
                 template_id: str, template_version: int) -> int:
    """The 256-bit seed of one student's variant of one exam slot."""
    if not secret:
        raise ValueError("the exam secret is empty")
    message = SEPARATOR.join(str(f) for f in (exam_id, student_id, slot, template_id, template_version))
    digest = hmac.new(secret, message.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest, "big")


def rng_for(seed: int) -> np.random.Generator:
    """A fresh generator for one variant (PCG64 seeded through SeedSequence)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed))))
