"""Building a small exam for a grading test: a spec text, a roster of named students, a build."""

from pathlib import Path

from quizgen.papers.builder import build

NAMES = {"001": "Ada", "002": "Alan", "003": "Grace", "004": "Edsger"}


def build_exam(root: Path, spec: str, students=("001", "002", "003"), formats=()) -> Path:
    """Write ``spec`` and a roster of ``students`` into ``root``, build there (the secret created in
    ``root/k``), and return the build folder ``root/out``."""
    (root / "spec.toml").write_text(spec)
    (root / "roster.csv").write_text("student_id,name\n" + "".join(f"{s},{NAMES.get(s, 'Student ' + s)}\n" for s in students))
    build(root / "spec.toml", root / "roster.csv", root / "out", secret_file=root / "k" / "s",
          formats=formats, quiet=True)
    return root / "out"
