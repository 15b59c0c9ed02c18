"""The import graph: no cycle, and no import against the flow of the data.

Every ``import`` and ``from ... import`` in quizgen/, reference_impl/ and question_bank/ is read with
``ast`` (at the top of a module and inside functions alike); ``from quizgen.x import y`` where ``y`` is
a module counts as importing ``quizgen.x.y``. The flow, lowest layer first: a module may import its
own layer or a lower one, never a higher one, and no module is in a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("quizgen", "reference_impl", "question_bank")

# quizgen's layers, lowest first. "x.*" is the package x and everything in it.
LAYERS = (
    ("quizgen", "quizgen.errors", "quizgen.files", "quizgen.tables", "quizgen.workbooks", "quizgen.progress", "quizgen.workers"),
    ("quizgen.bank.*",),
    ("quizgen.papers", "quizgen.papers.spec", "quizgen.papers.exam", "quizgen.papers.render",
     "quizgen.papers.richtext", "quizgen.papers.mathrender"),
    ("quizgen.builddir.*",),
    ("quizgen.papers.builder", "quizgen.papers.verify"),
    ("quizgen.grade.*",),
    ("quizgen.practice.*",),
    ("quizgen.export.*",),
    ("quizgen.cli", "quizgen.__main__"),
)

# Beyond the layers: grading reads the build directory through quizgen.builddir, never through the
# build command, though that sits in a lower layer (the two meet only in the build directory).
NOT_IMPORTED = {"quizgen.grade.*": ("quizgen.papers.builder", "quizgen.papers.verify")}

def module_name(path: Path, root: Path = ROOT) -> str:
    """quizgen/bank/kinds.py -> quizgen.bank.kinds; a package's __init__.py is the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, name: str, modules: set) -> list:
    """(module named by the statement, module imported) for every import in the file at ``path``
    (module ``name``) of one of ``modules``; relative imports are resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            for alias in node.names:  # `from a import b` imports the module a.b when there is one
                submodule = f"{source}.{alias.name}"
                found.append((source, submodule if submodule in modules else source))
    return [(source, target) for source, target in found if target.split(".")[0] in PACKAGES]


def import_graph(root: Path = ROOT, packages=PACKAGES) -> tuple[dict, dict]:
    """(module -> the modules it imports, module -> the modules its import statements name)."""
    files = {module_name(p, root): p for package in packages for p in sorted((root / package).rglob("*.py"))}
    modules = set(files)
    graph, named = {}, {}
    for name, path in files.items():
        pairs = imports_of(path, name, modules)
        graph[name] = {target for _, target in pairs if target != name}
        named[name] = {source for source, _ in pairs}
    return graph, named


def matches(module: str, pattern: str) -> bool:
    """``pattern`` is a module, or ``x.*``: the package x and everything in it."""
    if pattern.endswith(".*"):
        return module == pattern[:-2] or module.startswith(pattern[:-1])
    return module == pattern


def layer_of(module: str) -> int | None:
    return next((layer for layer, patterns in enumerate(LAYERS) if any(matches(module, p) for p in patterns)),
                None)


def cycles(graph: dict) -> list:
    """Every set of modules that import each other round (Tarjan's strongly connected components
    with more than one module), each as a sorted list."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):  # recursion depth is the import depth, a few dozen at most
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append("cycle: " + " <-> ".join(sorted(component)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def against_the_flow(graph: dict) -> list:
    """Every quizgen import of a module in a higher layer, or of one NOT_IMPORTED names."""
    found = []
    for importer, targets in sorted(graph.items()):
        for target in sorted(targets):
            a, b = layer_of(importer), layer_of(target)
            if a is not None and b is not None and b > a:
                found.append(f"{importer} -> {target}: layer {a} imports layer {b}")
            for pattern, kept_out in NOT_IMPORTED.items():
                if matches(importer, pattern) and target in kept_out:
                    found.append(f"{importer} -> {target}: {pattern[:-2].rpartition('.')[2]} must not "
                                 "import the build command")
    return found


@pytest.fixture(scope="module")
def graphs():
    return import_graph()


def test_every_quizgen_module_has_a_layer(graphs):
    graph, _ = graphs
    assert [m for m in graph if m.startswith("quizgen") and layer_of(m) is None] == []


def test_no_import_cycle(graphs):
    graph, _ = graphs
    assert sorted(set(cycles(graph))) == []


def test_no_import_against_the_flow(graphs):
    graph, _ = graphs
    assert sorted(set(against_the_flow(graph))) == []


def test_reference_impl_knows_nothing_of_quizzes(graphs):
    graph, _ = graphs
    assert {m: sorted(t for t in targets if not t.startswith("reference_impl"))
            for m, targets in graph.items() if m.startswith("reference_impl")} == \
        {m: [] for m in graph if m.startswith("reference_impl")}


def test_templates_use_only_the_bank_face_and_reference_impl(graphs):
    _, named = graphs
    wrong = {m: sorted(s for s in sources if s != "quizgen.bank" and s.split(".")[0] != "reference_impl")
             for m, sources in named.items() if m.startswith("question_bank")}
    assert {m: s for m, s in wrong.items() if s} == {}


# --------------------------------------------------------------------------- the checker itself

def test_the_checker_finds_a_planted_cycle_and_an_upward_import(tmp_path):
    files = {
        "quizgen/__init__.py": "",
        "quizgen/errors.py": "import quizgen.tables\n",                     # layer 0 <-> layer 0: a cycle
        "quizgen/tables.py": "def f():\n    from quizgen import errors\n",   # a function-level import
        "quizgen/bank/__init__.py": "",
        "quizgen/bank/kinds.py": "from quizgen.grade import run\n",          # layer 1 -> layer 5
        "quizgen/grade/__init__.py": "",
        "quizgen/grade/run.py": "from . import columns\nfrom ..bank.kinds import Number\n",
        "quizgen/grade/report.py": "from quizgen.papers.builder import load_manifest\n",  # layer 5 -> 4, barred
        "quizgen/papers/__init__.py": "",
        "quizgen/papers/builder.py": "",
        "quizgen/grade/columns.py": "import numpy\n",
        "question_bank/rnn/step.py": "from quizgen.bank import kinds\nfrom quizgen.bank.kinds import Number\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph, named = import_graph(tmp_path)
    assert graph["quizgen.tables"] == {"quizgen.errors"}
    assert graph["quizgen.grade.run"] == {"quizgen.grade.columns", "quizgen.bank.kinds"}
    assert graph["question_bank.rnn.step"] == {"quizgen.bank.kinds"}
    assert named["question_bank.rnn.step"] == {"quizgen.bank", "quizgen.bank.kinds"}
    assert cycles(graph) == ["cycle: quizgen.bank.kinds <-> quizgen.grade.run",
                             "cycle: quizgen.errors <-> quizgen.tables"]
    assert against_the_flow(graph) == [
        "quizgen.bank.kinds -> quizgen.grade.run: layer 1 imports layer 5",
        "quizgen.grade.report -> quizgen.papers.builder: grade must not import the build command"]


def private_names_crossing(root: Path = ROOT, folders=("quizgen", "reference_impl", "question_bank",
                                                      "tests", "bench")) -> list:
    """``file:line: name`` for every private name (one leading underscore, not a dunder) that a module
    takes from another module of the project: ``from a import _x``, or ``a._x`` where ``a`` names a
    project module it imported. Private modules (``reference_impl._checks``) are a package's own and
    may be imported by its siblings."""
    found = []
    for path in sorted(p for folder in folders for p in (root / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        modules = set()  # local names bound to project modules
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                for alias in node.names:
                    own_module = ((root / Path(*node.module.split("."), alias.name + ".py")).exists()
                                  and path.relative_to(root).parts[0] == node.module.split(".")[0])
                    if _private(alias.name) and not own_module:
                        found.append(f"{path.relative_to(root)}:{node.lineno}: {node.module}.{alias.name}")
                    modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in PACKAGES:
                        modules.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and _private(node.attr)
                    and ast.unparse(node.value) in modules):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}")
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_private_name_crosses_modules():
    assert private_names_crossing() == []


def test_the_private_name_check_finds_planted_ones(tmp_path):
    (tmp_path / "quizgen").mkdir()
    (tmp_path / "quizgen" / "a.py").write_text("def _hidden():\n    pass\n")
    (tmp_path / "quizgen" / "_own.py").write_text("")  # a package's private module, for its siblings
    (tmp_path / "quizgen" / "b.py").write_text("from quizgen.a import _hidden\nfrom quizgen import a\n"
                                               "a._hidden()\nfrom quizgen import _own\n")
    found = private_names_crossing(tmp_path, folders=("quizgen",))
    assert found == ["quizgen/b.py:1: quizgen.a._hidden", "quizgen/b.py:3: a._hidden"]
