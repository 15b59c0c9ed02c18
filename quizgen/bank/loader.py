"""Finding templates: the bundled ``question_bank`` package and the instructor's own folders.

Every ``*.py`` file below a bank folder (files starting with ``_`` excepted) is
a template. A file that fails to load, or repeats another's id, is reported
with its path and reason; the others still load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
                    loaded = [Template.from_file(path)]
                except TemplateError as exc:
                    bank.errors.append(str(exc))
                    continue
            for template in loaded:
                if template.id in bank.templates:
                    other = bank.templates[template.id].path
                    bank.errors.append(f"{path}: id {template.id!r} is already used by {other}")
                    continue
                bank.templates[template.id] = template
    return bank
