"""The build folder, the contract between building and grading: manifest.json (the source of truth)
and grading-key.npz (derived from it), written and read through a :class:`BuildDir`."""

from quizgen.builddir.directory import BuildDir
from quizgen.builddir.gradingkey import FILE_NAME as KEY_FILE, GradingKey, Group
from quizgen.builddir.manifest import MANIFEST, without_cycle_collection

__all__ = ["BuildDir", "GradingKey", "Group", "KEY_FILE", "MANIFEST", "without_cycle_collection"]
