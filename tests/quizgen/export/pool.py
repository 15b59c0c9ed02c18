"""The pool every export test draws from: a spec selecting numbers, shapes, matrices, a choice form,
concept items (choice, true/false, essay) and a formula from a template written here."""

from quizgen.bank.loader import load_bank

SPEC = """
title = "Export test"
exam_id = "export-test"

[[section]]
title = "Numbers"
ids = ["lstm.cell_step", "cnn.conv_output_shape", "cnn.pool_matrix", "autoencoder.param_count",
       "dbm.energy"]
points = 6
count = 1          # ignored by export: every selected template is written
shuffle = true

[[section]]
title = "Choice form"
ids = ["rnn.softmax_output"]
form = "choice"

[[section]]
title = "Concepts"
topics = ["autoencoder"]
tags = ["concept"]

[[section]]
title = "Formula"
ids = ["custom.derivative"]
"""

SYMBOLIC_TEMPLATE = '''
from quizgen.bank import Part, Symbolic

TITLE = "Derivative of the sigmoid"
VERSION = 1
PARTS = [Part("d", Symbolic(variables=("x",)), label="answer")]
STEM = "Write $\\\\frac{d}{dx}\\\\sigma(x)$ in terms of $\\\\sigma(x)$."
SOLUTION = "$\\\\sigma(x)(1 - \\\\sigma(x))$"

def generate(rng):
    return {}

def solve(p, work):
    work.answer("d", "sigma(x)*(1 - sigma(x))")
'''


def exported_ids(bank_dir):
    """The template ids the spec selects, in order, and the bank with ``bank_dir`` added."""
    bank = load_bank([bank_dir])
    concepts = [t.id for t in bank.templates.values() if t.topic == "autoencoder" and "concept" in t.tags]
    return ["lstm.cell_step", "cnn.conv_output_shape", "cnn.pool_matrix", "autoencoder.param_count",
            "dbm.energy", "rnn.softmax_output"] + concepts + ["custom.derivative"], bank
