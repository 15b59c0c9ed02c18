"""The quizgen command line. Thin: it parses options and calls the library."""

import click

from quizgen import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quizgen")
def main():
    """quizgen: randomized, auto-graded deep-learning exams.

    Every numeric answer is computed by the NumPy reference implementation
    (package reference_impl) and checked against independent oracles.

    \b
    Example:
      quizgen --version
    """


if __name__ == "__main__":
    main()
