"""The question model and the bank: what a question is, how a variant is drawn, answered and marked.

A template author needs only this package's face (see ``question_bank/README.md``)::

    from quizgen.bank import Number, Part, Redraw, Vector, draw

Modules: ``kinds`` (answer kinds: parse, compare, write a key), ``symbolic`` (formula
answers), ``question`` (Template, Part, Work, Variant), ``draw`` (printable random
parameters), ``seeds`` (keyed random generators), ``texts`` (a stem's and a solution's
text for one variant), ``marking`` (marking one variant's answers), ``concepts`` (TOML
conceptual items), ``loader`` (finding and loading templates), ``check`` (stress-testing them).
"""

from quizgen.bank import draw, handwork
from quizgen.bank.kinds import (Choice, Essay, Integer, Matrix, Number, Shape, Symbolic, Tolerance,
                                TrueFalse, Vector)
from quizgen.bank.loader import Bank, load_bank
from quizgen.bank.question import Part, Redraw, Template, TemplateError, Variant

__all__ = ["Bank", "Choice", "Essay", "Integer", "Matrix", "Number", "Part", "Redraw", "Shape",
           "Symbolic", "Template", "TemplateError", "Tolerance", "TrueFalse", "Variant", "Vector",
           "draw", "handwork", "load_bank"]
