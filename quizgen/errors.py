"""The errors quizgen reports to a person, and the exit statuses the command line gives them.

``InputError`` is a user's file that cannot be used as it is (a roster, a spec, a
submissions file, a secret): its message names the file, and the row and column
where there are any. It is never a bug in quizgen, so it is printed without a traceback.
"""

from __future__ import annotations

EXIT_ATTENTION = 1  # the work was done, and something in it needs the instructor's look
EXIT_REFUSED = 2    # a file or an option was refused: nothing was done
EXIT_CRASH = 3      # quizgen itself failed (a bug): not a result, whatever was done before it
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report a process ended by SIGINT

EXIT_STATUSES = (f"Exit status: 0 done, {EXIT_ATTENTION} done but something needs attention, "
                 f"{EXIT_REFUSED} input refused (nothing done), {EXIT_CRASH} quizgen crashed (a bug: "
                 f"please report it), {EXIT_INTERRUPTED} interrupted.")
DEBUG_VARIABLE = "QUIZGEN_DEBUG"  # set to 1 for a crash's traceback


class InputError(Exception):
    """A user's file cannot be used as it is. ``str()`` is the message to print."""

    def __init__(self, path, message: str, row: int | None = None, column: str | None = None):
        self.path, self.row, self.column, self.message = str(path), row, column, message
        where = str(path)
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")
