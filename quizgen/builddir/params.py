"""Every question's frozen params in the grading key, so error carried forward never reads manifest.json.

Read from the manifest, a class's checks were reads at random places in a file
of about 8 kB a student (1.5 ms each from a cold disk); the key therefore holds
each question's params, the JSON text manifest.json has, compressed in blocks.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

PARAMS_BLOCK = 256  # students whose params are compressed together (about 250 kB of JSON)


@dataclass
class ParamsStore:
    """Each student's questions' frozen params, the JSON text manifest.json has, zlib-compressed in
    blocks: one question's params for :data:`PARAMS_BLOCK` students in a row. A block is inflated when
    one of its questions is asked for, and the last few are kept (error carried forward asks in
    student order); a block holds one question alone, so a check inflates little besides its own."""

    blob: np.ndarray    # uint8: the compressed blocks one after another (block b*questions + k: question
                        # k of students b*per_block...)
    blocks: np.ndarray  # (blocks + 1,) where each block starts in blob
    spans: np.ndarray   # (students, questions, 2) start and length of a question's params in its
                        # inflated block; length 0 where there are none (a question with choices)
    per_block: int = PARAMS_BLOCK  # students in a block (as written: a later quizgen may write others)
    _inflated: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # block -> bytes

    @classmethod
    def from_texts(cls, texts: list) -> "ParamsStore":
        """``texts[i][k]``: student i's question k's params as JSON bytes (b"" for none)."""
        n, questions, per_block = len(texts), max((len(t) for t in texts), default=0), PARAMS_BLOCK
        spans = np.zeros((n, questions, 2), dtype=np.int32)
        pieces, blocks, at = [], [0], 0
        for lo in range(0, n, per_block):
            for k in range(questions):
                block, start = [], 0
                for i in range(lo, min(n, lo + per_block)):
                    text = texts[i][k] if k < len(texts[i]) else b""
                    spans[i, k] = start, len(text)
                    block.append(text)
                    start += len(text)
                packed = zlib.compress(b"".join(block), 1)  # 4x smaller at 100 MB/s; 6: 3.9x slower, 1.6x smaller
                pieces.append(packed)
                at += len(packed)
                blocks.append(at)
        return cls(np.frombuffer(b"".join(pieces), dtype=np.uint8), np.asarray(blocks, dtype=np.int64), spans,
                   per_block)

    def get(self, index: int, position: int) -> bytes | None:
        """Student ``index``'s question ``position``'s params (JSON), or None where it has none."""
        start, length = self.spans[index, position].tolist()
        if not length:
            return None
        return self._block(index // self.per_block * self.spans.shape[1] + position)[start:start + length]

    def _block(self, b: int) -> bytes:
        cache = self._inflated
        if b not in cache:
            if len(cache) >= 2 * self.spans.shape[1]:
                cache.pop(next(iter(cache)))
            cache[b] = zlib.decompress(self.blob[self.blocks[b]:self.blocks[b + 1]].tobytes())
        return cache[b]
