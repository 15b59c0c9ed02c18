"""A progress bar on a terminal; silence under --quiet or when output is not a terminal."""

from __future__ import annotations

import contextlib
import sys

import click


@contextlib.contextmanager
def progress(iterable, label: str, quiet: bool = False, length: int | None = None):
    """Yield ``iterable``, drawing a bar on stderr only when stderr is a terminal."""
    if quiet or not sys.stderr.isatty():
        yield iterable
        return
    with click.progressbar(iterable, length=length, label=label, file=sys.stderr,
                           show_pos=True, show_eta=True) as bar:
        yield bar
