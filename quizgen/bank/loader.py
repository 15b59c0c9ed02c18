"""Finding templates: the bundled ``question_bank`` package and the instructor's own folders.

Every ``*.py`` file below a bank folder (files starting with ``_`` excepted) is
a template, and every ``*.toml`` file a list of conceptual items. A template's
topic is the folder it sits in and its id ``<topic>.<file name>``
(``rnn/forward_two_steps.py`` is ``rnn.forward_two_steps``). A file that fails
to load, or repeats another's id, is reported with its path and reason; the
others still load.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import question_bank
from quizgen.bank.concepts import load_concepts
from quizgen.bank.question import Template, TemplateError

BUNDLED = Path(question_bank.__file__).parent


@dataclass
class Bank:
    templates: dict = field(default_factory=dict)  # id -> Template, in load order
    errors: list = field(default_factory=list)     # "path: reason" lines

    def get(self, template_id: str) -> Template:
        try:
            return self.templates[template_id]
        except KeyError:
            near = [t for t in self.templates if template_id.split(".")[0] in t][:5]
            hint = f"; similar: {', '.join(near)}" if near else "; `quizgen list` shows them all"
            raise KeyError(f"no template {template_id!r}{hint}") from None

    def select(self, topics=(), ids=(), tags=(), difficulty=None) -> list:
        out = []
        for t in self.templates.values():
            if ids and t.id not in ids:
                continue
            if topics and t.topic not in topics:
                continue
            if tags and not set(tags) & set(t.tags):
                continue
            if difficulty is not None and t.difficulty != difficulty:
                continue
            out.append(t)
        return out

    @property
    def topics(self) -> list:
        return sorted({t.topic for t in self.templates.values()})


# the modules of the template API before they moved into quizgen.bank (commit 97b03aa)
MOVED_MODULES = ("question", "kinds", "draw", "seeds", "symbolic", "stems", "grading", "concepts", "checking")


def is_moved_module(module: str) -> bool:
    """Whether ``module`` (``quizgen.kinds``) is one of :data:`MOVED_MODULES` by its old path."""
    names = module.split(".")
    return len(names) >= 2 and names[0] == "quizgen" and names[1] in MOVED_MODULES


def moved_import_advice(path: Path, source: str, exc: ImportError) -> str | None:
    """"<path>, line N: quizgen.kinds moved into quizgen.bank; write `from quizgen.bank import
    Vector` instead" when ``exc`` comes from the template at ``path`` (its text ``source``)
    importing a pre-move module; None for any other import error."""
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == str(path)]
    if not lines:
        return None
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    statement = next((node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                      and node.lineno <= lines[-1] <= node.end_lineno), None)
    if isinstance(statement, ast.ImportFrom) and statement.level == 0:
        names = [alias.name for alias in statement.names]
        if statement.module == "quizgen":  # from quizgen import draw
            moved = [f"quizgen.{n}" for n in names if is_moved_module(f"quizgen.{n}")]
        else:
            moved = [statement.module] if is_moved_module(statement.module or "") else []
        instead = f"from quizgen.bank import {', '.join(names)}"
    elif isinstance(statement, ast.Import):
        moved = [alias.name for alias in statement.names if is_moved_module(alias.name)]
        instead = "from quizgen.bank import ... (the names the template uses)"
    else:
        return None
    if not moved:
        return None
    return f"{path}, line {statement.lineno}: {moved[0]} moved into quizgen.bank; write `{instead}` instead"


def module_from_file(path: Path) -> ModuleType:
    """Run the template file ``path`` as a module; a failure is a TemplateError naming the file."""
    name = "quizgen_bank_" + "_".join(path.with_suffix("").parts[-3:]).replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise TemplateError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a user's template may fail in any way; report it, load the rest
        sys.modules.pop(name, None)
        advice = None
        if isinstance(exc, ImportError):
            advice = moved_import_advice(path, path.read_text(encoding="utf-8", errors="replace"), exc)
        raise TemplateError(advice or f"{path}: {type(exc).__name__}: {exc}") from exc
    return module


def identity_from_path(path) -> tuple[str, str]:
    """A template's ``(id, topic)`` from where its file sits: the folder it is in is the topic,
    and the id is ``<topic>.<file name without .py>``. A template directly in a bank folder
    takes that folder's name as its topic (like a ``concepts.toml`` beside it)."""
    path = Path(os.path.abspath(path))  # not resolve(): a symlinked file keeps the folder it is listed in
    topic = path.parent.name
    if not topic:
        raise TemplateError(f"{path}: a template must sit in a named folder, its topic")
    return f"{topic}.{path.stem}", topic


def load_template(path) -> Template:
    """The template in the file ``path``, its id and topic taken from where the file sits."""
    path = Path(path)
    template_id, topic = identity_from_path(path)
    return Template.from_module(module_from_file(path), template_id, topic, path)


def template_files(folder: Path) -> list:
    """Template modules (``*.py``) and conceptual item files (``*.toml``) below ``folder``."""
    return sorted(p for p in Path(folder).rglob("*") if p.suffix in (".py", ".toml")
                  and not p.name.startswith("_") and "__pycache__" not in p.parts)


def load_bank(extra_folders=(), include_bundled: bool = True) -> Bank:
    """Load the bundled templates and those in ``extra_folders`` (``--bank PATH``)."""
    bank = Bank()
    folders = ([BUNDLED] if include_bundled else []) + [Path(f) for f in extra_folders]
    for folder in folders:
        if not folder.is_dir():
            bank.errors.append(f"{folder}: not a folder")
            continue
        for path in template_files(folder):
            if path.suffix == ".toml":
                loaded, errors = load_concepts(path)
                bank.errors.extend(errors)
            else:
                try:
                    loaded = [load_template(path)]
                except TemplateError as exc:
                    bank.errors.append(str(exc))
                    continue
            for template in loaded:
                if template.id in bank.templates:
                    other = bank.templates[template.id].path
                    bank.errors.append(f"{path}: id {template.id!r} is already used by {other}")
                    continue
                bank.templates[template.id] = template
    link_exclusions(bank)
    return bank


def link_exclusions(bank: Bank) -> None:
    """Make every ``excludes`` symmetric (an item excludes whatever excludes it); an id that names
    no item of the bank is an error of the item that names it."""
    for template in list(bank.templates.values()):
        for other in template.excludes:
            if other not in bank.templates:
                bank.errors.append(f"{template.path}: {template.id} excludes {other!r}, which is no item of the bank")
            elif template.id not in bank.templates[other].excludes:
                bank.templates[other].excludes += (template.id,)
