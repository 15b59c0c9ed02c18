"""What the exporters share: HTML with TeX math, numbers as plain decimal text."""

from quizgen.export.common import html_with_tex, number_text


def test_html_with_tex():
    out = html_with_tex("Cost is \\$5 and $a < b$.\n\n$$x_{t} = 1$$\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert r"\(a &lt; b\)" in out and r"\[x_{t} = 1\]" in out and "<table>" in out
    assert "$" not in out and "&#36;5" in out


def test_number_text():
    assert number_text(1e-5) == "0.00001" and number_text(3.0) == "3" and number_text(-0.25) == "-0.25"
