"""Practice: one variant at a time in the terminal (``quizgen show``, ``quizgen practice``), and the
offline self-checking page."""
