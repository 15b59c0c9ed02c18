"""What the exporters share: the pool of variants, the report, text with TeX math, keys, XML and zips.

The pool: the templates an exam spec's sections select (ids, topics, tags,
difficulty; ``count`` and ``shuffle`` are ignored: every selected template is
exported), each drawn ``variants`` times in its section's form (typed or
choice). The k-th variant is drawn from the exam secret as a build draws a
student's (:func:`quizgen.bank.seeds.variant_seed`, keyed by the secret, with a
student id no roster can hold), so nobody without the secret rebuilds the pool
and its key from a guessed spec; or, only when asked for, from a public seed
(``rng_for(sha256(seed | template id | version | k))``: a practice pool anyone can
rebuild). The same spec and secret (or seed) give the same file, byte for byte.
Only the standard library's ``xml.etree`` writes XML.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np

from quizgen.bank.concepts import options_stem
from quizgen.bank.kinds import ALL_OR_NOTHING
from quizgen.bank.loader import load_bank
from quizgen.bank.question import Template, Variant, accepted_interval
from quizgen.bank.seeds import SEPARATOR, rng_for, variant_seed
from quizgen.bank.texts import render_stem
from quizgen.papers.exam import part_points, section_pool
from quizgen.papers.richtext import cut_math, put_math, render_markdown
from quizgen.errors import InputError
from quizgen.papers.spec import load_or_create_secret, load_spec, secret_fingerprint
from quizgen.files import write_atomic

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"


@dataclass
class ExportReport:
    """What an export wrote: counts, the output file and notes worth telling the instructor."""

    format: str
    out_path: Path
    templates: int = 0
    questions: int = 0
    notes: list = field(default_factory=list)
    drawn_from: str = ""  # where the variants come from: the exam secret, or a public seed

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def summary(self) -> str:
        lines = [f"{self.format}: {self.questions} questions from {self.templates} templates -> {self.out_path}"]
        lines += [f"variants drawn from {self.drawn_from}"] if self.drawn_from else []
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


class Exporter:
    """One LMS format. A subclass sets ``name`` (its key in the registry), ``label`` (how its
    report names it) and writes the file's bytes in :meth:`package`."""

    name = ""
    label = ""

    def package(self, spec, items: list, report: ExportReport) -> bytes:
        """The file's bytes for the drawn ``items`` (:class:`PoolItem`) of ``spec``; counts and notes go
        to ``report``."""
        raise NotImplementedError

    def export(self, spec_path, variants: int, out_path, banks=(), seed: int | None = None,
               secret_file=None) -> ExportReport:
        """Write ``variants`` variants of every template the spec at ``spec_path`` selects to ``out_path``.

        ``banks`` are template folders added to the spec's. The variants are drawn from the exam
        secret (``secret_file``, else the spec's ``secret_file``; created on first use, as a build
        does) or, only when ``seed`` is given, from that public seed (a practice pool). Raises
        ValueError for fewer than one variant, InputError for an unusable spec, bank or secret, or
        when neither a secret nor a public seed is given.
        """
        if int(variants) < 1:
            raise ValueError("variants must be at least 1")
        spec = load_spec(spec_path)
        draw = PoolDraw.of(spec, seed, secret_file)
        spec, items = select_pool(spec_path, banks, variants, draw)
        report = ExportReport(self.label, Path(out_path), drawn_from=draw.describe())
        if draw.secret_created:
            report.note(f"created the exam secret {draw.secret_created} (mode 600): keep it; without it "
                        "this pool cannot be drawn again")
        data = self.package(spec, items, report)
        write_atomic(out_path, data)
        return report


# ------------------------------------------------------------------------------- the pool of variants


@dataclass
class PoolItem:
    """One template as the spec selects it: its section's form, size, points per part and drawn variants."""

    template: Template
    form: str
    size: str
    points: list
    variants: list = field(default_factory=list)
    credit: str = ALL_OR_NOTHING  # the section's multiple_answer_credit

    @property
    def credit_rule_applies(self) -> bool:
        """Whether a part of the template has several right options, so the rule decides its score."""
        return any(p.kind.credit_rules_apply for p in self.template.parts)


def export_seed(seed: int, template_id: str, version: int, k: int) -> int:
    """The seed of the k-th variant of a template in a practice pool drawn from a public ``seed``."""
    message = SEPARATOR.join(str(f) for f in ("quizgen-export", int(seed), template_id, version, k))
    return int.from_bytes(hashlib.sha256(message.encode("utf-8")).digest(), "big")


# The student id of an exported pool in the secret's derivation: ':' is outside every roster id
# (quizgen.papers.spec.SAFE_ID), so no student's paper shares a seed with a pool's variant.
POOL_STUDENT = "lms-pool:"


@dataclass(frozen=True)
class PoolDraw:
    """Where an export draws its variants from: the exam secret (``secret``), or a public ``seed``."""

    secret: bytes | None = None
    seed: int | None = None
    secret_created: Path | None = None

    @classmethod
    def of(cls, spec, seed: int | None, secret_file=None) -> "PoolDraw":
        """The draw an export asked for: a public ``seed`` only when given, else the exam secret
        (``secret_file`` or the spec's). Raises InputError when both or neither are given."""
        secret_path = secret_file or spec.secret_file
        if seed is not None and secret_file:
            raise InputError(spec.path, "give a secret file or a public seed, not both")
        if seed is not None:
            return cls(seed=int(seed))
        if not secret_path:
            raise InputError(spec.path, "no exam secret: give --secret-file PATH (or secret_file in the spec) so "
                                        "that nobody without it can rebuild the exported questions and answers, "
                                        "or --public-seed N for a practice pool anyone can rebuild")
        secret, created = load_or_create_secret(secret_path)
        return cls(secret=secret, secret_created=Path(os.path.expanduser(str(secret_path))) if created else None)

    def describe(self) -> str:
        if self.secret is not None:
            return (f"the exam secret (fingerprint {secret_fingerprint(self.secret)}): nobody without it can "
                    "rebuild them")
        return f"public seed {self.seed}: a practice pool anyone with the spec can rebuild, answers included"

    def variant(self, spec, template: Template, form: str, size: str, k: int) -> Variant:
        """The k-th variant of ``template`` in its section's form and size."""
        if self.secret is not None:
            slot = SEPARATOR.join(("export", form, size, str(k)))
            seed = variant_seed(self.secret, spec.exam_id, POOL_STUDENT, slot, template.id, template.version)
            return template.draw(rng_for(seed), f"pool:{k}", form=form, size=size)
        rng = rng_for(export_seed(self.seed, template.id, template.version, k))
        return template.draw(rng, f"export:{self.seed}:{k}", form=form, size=size)


def select_pool(spec_path, banks, variants: int, draw) -> tuple:
    """``(spec, [PoolItem, ...])``: every template the spec selects, once per (id, form, size), drawn
    ``variants`` times as ``draw`` (a :class:`PoolDraw`, or an int: a public seed) says. Raises
    ValueError for fewer than one variant."""
    if int(variants) < 1:
        raise ValueError("variants must be at least 1")
    if not isinstance(draw, PoolDraw):
        draw = PoolDraw(seed=int(draw))
    spec = load_spec(spec_path)
    bank = load_bank(tuple(spec.banks) + tuple(str(b) for b in banks))
    # every selected template is exported: count, shuffle and vary do not apply here
    sections = [dataclasses.replace(s, count=None, shuffle=False, vary=False) for s in spec.sections]
    open_spec = dataclasses.replace(spec, sections=sections)
    items, seen = [], set()
    for index, section in enumerate(sections):
        for template in section_pool(open_spec, bank, index):
            key = (template.id, section.form, section.size, section.multiple_answer_credit)
            if key in seen:
                continue
            seen.add(key)
            item = PoolItem(template, section.form, section.size, part_points(section, template),
                            credit=section.multiple_answer_credit)
            for k in range(int(variants)):
                item.variants.append(draw.variant(spec, template, section.form, section.size, k))
            items.append(item)
    return spec, items


# ------------------------------------------------------------------------------- text and math


_PLAIN_LABEL = re.compile(r"\(?[a-z0-9]\)?|[0-9]+|[A-Za-z][a-z ]+")


def xhtml_and_formulas(text: str, inline: bool) -> tuple:
    """XHTML of Markdown ``text`` (so that QTI can parse it) with its formulas as slots, and the formulas."""
    body, formulas = cut_math(text, inline)
    return render_markdown(body, inline, xhtml=True).strip(), formulas


def tex_delimited(latex: str, display: bool = False) -> str:
    """One formula in the delimiters MathJax reads, HTML-escaped."""
    body = html.escape(latex, quote=False).replace("$", "&#36;")
    return f"\\[{body}\\]" if display else f"\\({body}\\)"


def html_with_tex(text: str, inline: bool = False) -> str:
    """Markdown with ``$...$``/``$$...$$`` math to HTML with ``\\(...\\)``/``\\[...\\]`` math.

    A literal dollar sign is written ``&#36;`` so that no TeX filter mistakes it for a delimiter.
    """
    rendered, formulas = xhtml_and_formulas(text, inline)
    return put_math(rendered.replace("$", "&#36;"), formulas, tex_delimited, inline)


def is_plain_label(label: str) -> bool:
    """Whether a part's label is words or a number (shown as text) rather than a formula (shown as TeX)."""
    return bool(_PLAIN_LABEL.fullmatch(label))


def label_html(part) -> str:
    """A part's label as HTML: plain words escaped, anything else as inline TeX."""
    if is_plain_label(part.label):
        return html.escape(part.label)
    return tex_delimited(part.label)


def stem_and_options(template: Template, variant: Variant) -> tuple:
    """``(stem, options)``: the rendered stem and, for a conceptual choice question, its options apart.

    Conceptual items append their lettered options to the stem; an LMS shows options itself
    (and may shuffle them), so the list is cut from the stem and the options returned (else None).
    """
    options = variant.params.get("options")
    suffix = options_stem("")
    parts = template.parts
    if (len(parts) == 1 and parts[0].kind.lettered_options and template.stem.endswith(suffix)
            and isinstance(options, list) and len(options) == parts[0].kind.lettered_options):
        stripped = dataclasses.replace(template, stem=template.stem[: -len(suffix)])
        return render_stem(stripped, variant), [str(o) for o in options]
    return render_stem(template, variant), None


def number_text(value) -> str:
    """A number as plain decimal text (no exponent): what every LMS parses."""
    value = float(value)
    if value == int(value) and abs(value) < 2**53:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


# ------------------------------------------------------------------------------- keys


def answer_key(part, variant: Variant, hand: bool = False):
    """The key of ``part`` in ``variant`` as its kind's value (``hand``: the hand-calculation key)."""
    return part.kind.from_json((variant.hand_answers if hand else variant.answers)[part.name])


def numeric_keys(part, variant: Variant) -> list:
    """Per blank of a "numbers" part: ``[(value, tolerance), ...]`` accepting the part's accepted
    interval, as ``quizgen grade`` does (the key first)."""
    return part.kind.blank_keys(answer_key(part, variant), accepted_interval(part, variant))


def blank_count(part, variant: Variant) -> int:
    """How many blanks a part takes in a question of blanks: one for a choice-form part."""
    if variant.choices.get(part.name):
        return 1
    return part.kind.blank_count(answer_key(part, variant))


def matrix_rows_cols(value) -> tuple:
    """``(rows, columns)`` of a matrix key (a flat key is one row)."""
    arr = np.asarray(value, dtype=float)
    return (arr.shape[0], arr.shape[1]) if arr.ndim == 2 else (1, arr.size)


# ------------------------------------------------------------------------------- XML, manifests and zips


# Identifiers keep to letters, digits, "_" and "-" and start with a letter: every importer reads
# them unchanged (QTIMigrationTool, which Canvas runs, turns "." and ":" into "_" in choice
# identifiers but not in the <varequal> that names the key, losing it), and they are xs:ID/NCName.
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def identifier(text: str) -> str:
    """``text`` as an identifier every importer keeps as written: other characters become ``_``,
    and one not starting with a letter gets ``I`` before it."""
    ident = _UNSAFE.sub("_", text)
    return ident if re.match(r"[A-Za-z]", ident) else "I" + ident


def item_identifiers(items: list) -> list:
    """One identifier per :class:`PoolItem`, unique in the pool, from which its questions' identifiers
    are made (``{it}-v001``). A template listed twice (two forms, sizes or credit rules) is told apart
    by its form and size, and any identifiers still alike (ids differing only in characters
    :func:`identifier` replaces) by a count: an LMS matching by identifier would keep only one."""
    listed = {}
    for item in items:
        listed[item.template.id] = listed.get(item.template.id, 0) + 1
    out, used = [], set()
    for item in items:
        ident = identifier(item.template.id)
        if listed[item.template.id] > 1:
            ident = f"{ident}-{item.form}-{item.size}"
        unique, n = ident, 1
        while unique in used:
            n += 1
            unique = f"{ident}-{n}"
        used.add(unique)
        out.append(unique)
    return out


def xml_bytes(root, finish=None) -> bytes:
    """The indented UTF-8 document of ``root``; ``finish`` may rewrite its text first (CDATA sections)."""
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode")
    if finish is not None:
        text = finish(text)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")


def ims_manifest(manifest_id: str, title: str, resources: list, resource_type: str) -> bytes:
    """An IMS CP 1.1 manifest; ``resources``: (identifier, href, [files])."""
    ET.register_namespace("", CP_NS)
    ET.register_namespace("xsi", XSI_NS)
    c = "{" + CP_NS + "}"
    root = ET.Element(c + "manifest", {"identifier": manifest_id,
                                        "{" + XSI_NS + "}schemaLocation": f"{CP_NS} {CP_XSD}"})
    metadata = ET.SubElement(root, c + "metadata")
    ET.SubElement(metadata, c + "schema").text = "QTIv2.1 Package" if resource_type.endswith("v2p1") \
        else "IMS Content"
    ET.SubElement(metadata, c + "schemaversion").text = "1.0.0" if resource_type.endswith("v2p1") else "1.1.3"
    ET.SubElement(root, c + "organizations")
    listing = ET.SubElement(root, c + "resources")
    for ident, href, files in resources:
        resource = ET.SubElement(listing, c + "resource", identifier=ident, type=resource_type, href=href)
        for f in files:
            ET.SubElement(resource, c + "file", href=f)
    return xml_bytes(root)


def zip_bytes(files: list) -> bytes:
    """A zip of ``(name, bytes)`` with fixed dates and order: the same content is the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
