"""Pure NumPy reference implementations of the course's models.

Knows nothing of quizzes: every answer quizgen prints is computed here, in the
course's notation (column vectors, a sequence ``x`` of shape ``(T, D)``, a
hidden state of shape ``(H,)``), and every function is checked in ``tests/``
against an independent oracle (PyTorch float64 autograd, scikit-learn,
enumeration, finite differences, published figures).

Conventions shared by every module:

* ``forward(...) -> (out, cache)``: ``cache`` is a dict holding every
  intermediate value a worked solution prints (pre-activations, gates, states).
* ``backward(dout, cache) -> dict``: the gradient of a scalar loss ``L`` with
  respect to every parameter, the inputs and the initial state, given the
  upstream gradient ``dout = dL/dout``; keys are the parameter names.
* Wrong shapes raise ``ValueError`` naming the argument and the expected shape.
* Randomness is never drawn here: sampling functions take the uniform or normal
  numbers as arguments, so that a printed chain can be reproduced by hand.
"""
