"""Nothing outside the answer kinds asks which kind it holds: it asks the kind.

Every module of quizgen (but the kinds themselves) is read with :mod:`ast` for
``isinstance(..., <kind class>)``, ``type(<a kind>)`` (compared, or used as a
key), ``match`` cases on a kind class, a kind's ``.name`` compared (``==``,
``!=``, ``in``, ``is``), and ``hasattr(<a kind>, ...)`` or ``getattr`` with a
default (asking whether it is a kind that has the attribute). Each is a place where a kind's behaviour lives
outside its class: give the kind a method or attribute instead
(:mod:`quizgen.bank.kinds`).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from quizgen.bank import kinds

ROOT = Path(__file__).resolve().parents[3]
# where kinds are defined and the text readers they share: the only places allowed to tell kinds apart
OWNERS = ["quizgen/bank/kinds.py", "quizgen/bank/answertext.py"]

KIND_CLASSES = frozenset(name for name, value in vars(kinds).items()
                         if inspect.isclass(value) and issubclass(value, kinds.AnswerKind))
KIND_NAMES = frozenset(cls.name for cls in vars(kinds).values()
                       if inspect.isclass(cls) and issubclass(cls, kinds.AnswerKind))
_COMPARISONS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is, ast.IsNot)


def _names(node) -> set:
    """Every plain name and attribute name inside ``node``."""
    return {n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node)
            if isinstance(n, (ast.Name, ast.Attribute))}


def _kind_classes_in(tree) -> set:
    """The names that stand for kind classes in a module: the classes themselves, what they are
    imported as, and names bound to a collection of them (``NUMERIC = (Number, Integer)``)."""
    known = set(KIND_CLASSES)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            known |= {alias.asname for alias in node.names if alias.asname and alias.name in KIND_CLASSES}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Tuple, ast.List, ast.Set)) \
                and _names(node.value) & known:
            known |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return known


def _is_type_call(node) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type" \
        and len(node.args) == 1


def _mentions_kind(node) -> bool:
    return any("kind" in name.lower() for name in _names(node))


def dispatch_on_kinds(source: str) -> list[tuple[int, str]]:
    """(line, what) of every place in ``source`` that tells answer kinds apart by their type or name."""
    tree = ast.parse(source)
    classes = _kind_classes_in(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("isinstance", "issubclass") and len(node.args) == 2 \
                and _names(node.args[1]) & classes:
            found.append((node.lineno, f"{node.func.id}(..., {ast.unparse(node.args[1])})"))
        elif _is_type_call(node) and (_mentions_kind(node.args[0]) or _names(node.args[0]) & classes):
            found.append((node.lineno, f"{ast.unparse(node)} tells kinds apart by their class"))
        elif isinstance(node, ast.Compare) and any(isinstance(op, _COMPARISONS) for op in node.ops):
            sides = [node.left, *node.comparators]
            if any(_is_type_call(side) for side in sides) and any(_names(side) & classes for side in sides):
                found.append((node.lineno, f"{ast.unparse(node)}: a comparison of classes"))
            for side in sides:
                if isinstance(side, ast.Attribute) and side.attr == "name" and (
                        _mentions_kind(side.value)
                        or any(isinstance(other, ast.Constant) and other.value in KIND_NAMES
                               for other in sides)
                        or any(isinstance(c, ast.Constant) and c.value in KIND_NAMES
                               for other in sides for c in ast.walk(other))):
                    found.append((node.lineno, f"{ast.unparse(node)}: a kind's name compared"))
                    break
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args \
                and (node.func.id == "hasattr" or node.func.id == "getattr" and len(node.args) == 3) \
                and _mentions_kind(node.args[0]):
            found.append((node.lineno, f"{ast.unparse(node)}: which kinds have the attribute"))
        elif isinstance(node, ast.MatchClass) and _names(node.cls) & classes:
            found.append((node.lineno, f"case {ast.unparse(node.cls)}(...)"))
    first = {}  # line -> the first way it tells kinds apart
    for line, what in found:
        first.setdefault(line, what)
    return sorted(first.items())


def _scanned_files() -> list[str]:
    skipped = OWNERS
    paths = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "quizgen").rglob("*.py"))
    return [p for p in paths if not any(p == s or (s.endswith("/") and p.startswith(s)) for s in skipped)]


def test_no_module_tells_kinds_apart():
    found = [f"{path}:{line}: {what}" for path in _scanned_files()
             for line, what in dispatch_on_kinds((ROOT / path).read_text(encoding="utf-8"))]
    assert not found, "ask the kind (a method or attribute in quizgen/bank/kinds.py) instead:\n" + "\n".join(found)


def test_the_scan_reads_the_whole_package():
    files = _scanned_files()
    assert "quizgen/grade/columns.py" in files and "quizgen/practice/selfcheck.py" in files
    assert "quizgen/export/canvas.py" in files and "quizgen/builddir/gradingkey.py" in files
    assert not any(f in OWNERS for f in files)
    assert len(files) > 30


PLANTED = '''
from quizgen.bank.kinds import Choice, Essay, Number as N, Vector
from quizgen.bank import kinds
NUMERIC = (N, Vector)

def grade(part, kind, x):
    if isinstance(part.kind, Essay):
        return 0
    if isinstance(kind, (Choice, str)):
        return 1
    if isinstance(kind, kinds.Shape):
        return 2
    if type(kind) in NUMERIC:
        return 3
    if type(x) is N:
        return 4
    if part.kind.name == "essay":
        return 5
    if kind.name in ("choice", "truefalse"):
        return 6
    if thing.name != "integer":
        return 7
    convert = {Vector: list}.get(type(part.kind))
    match kind:
        case Choice(multiple=True):
            return 8
    if hasattr(part.kind, "tolerance"):
        return getattr(kind, "decimals", 4)
    return isinstance(x, N)
'''
PLANTED_LINES = [7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 28, 29]

INNOCENT = '''
from quizgen.bank.kinds import LETTERS

def grade(part, kind, x, variant):
    if isinstance(x, (str, tuple)) or type(x) is float:
        return 0
    if part.name == "a" or part.name in variant.choices:
        return 1
    if kind.graded_by_hand or kind.name:
        return 2
    return {"kind": kind.name, "letters": LETTERS, "size": getattr(x, "size"), "d": getattr(part, "d", 0)}
'''


def test_the_scan_finds_each_way_of_telling_kinds_apart():
    assert [line for line, _ in dispatch_on_kinds(PLANTED)] == PLANTED_LINES


def test_the_scan_lets_asking_the_kind_pass():
    assert dispatch_on_kinds(INNOCENT) == []
