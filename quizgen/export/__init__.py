"""Exporting an exam spec's questions to a learning-management system: one module per format.

A format is an :class:`Exporter` registered here under its name (as otter-grader's
``otter/export/exporters/``); :func:`get_exporter` looks one up:

    get_exporter("moodle").export("examples/final.toml", variants=20, out_path="final.xml",
                                  secret_file="~/.config/quizgen/final.secret")

========  =============  ===================================================
name      module         writes
========  =============  ===================================================
moodle    ``moodle``     Moodle XML: a question category per template
qti       ``qti21``      a QTI 2.1 content package (zip), math as MathML
canvas    ``canvas``     the QTI 1.2 zip Canvas imports, a group per template
========  =============  ===================================================

``common`` holds what they share: the pool of drawn variants, :class:`ExportReport`, text
with TeX math, keys, XML, manifests and zips. How each answer is asked for in an LMS is
the answer kind's to say (its "export forms" in :mod:`quizgen.bank.kinds`); the exporters
ask the kind and never check its type.
"""

from quizgen.export.canvas import CanvasExporter
from quizgen.export.common import ExportReport, Exporter
from quizgen.export.moodle import MoodleExporter
from quizgen.export.qti21 import Qti21Exporter

EXPORTERS = {exporter.name: exporter for exporter in (MoodleExporter(), Qti21Exporter(), CanvasExporter())}

# `quizgen export qti --flavor F` writes with the exporter named QTI_FLAVORS[F]
QTI_FLAVORS = {"qti21": "qti", "canvas": "canvas"}


def get_exporter(name: str) -> Exporter:
    """The exporter registered as ``name``; raises ValueError naming the known formats otherwise."""
    try:
        return EXPORTERS[name]
    except KeyError:
        raise ValueError(f"unknown export format {name!r}; the formats are {', '.join(EXPORTERS)}") from None


__all__ = ["EXPORTERS", "QTI_FLAVORS", "ExportReport", "Exporter", "get_exporter"]
