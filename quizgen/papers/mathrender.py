"""Math for the page: MathML for the HTML files, HTML-with-SVG for WeasyPrint's PDF.

Measured here (see shared/notes/rendering.md): ziamath turns a formula into
SVG in ~20 ms and WeasyPrint lays out each SVG slowly, while text costs
almost nothing. So the PDF path typesets the course's common math -- letters
with sub- and superscripts, Greek, operators, accents, fractions, bracketed
matrices of given values -- as HTML that WeasyPrint lays out like text, and
only what it does not know goes to ziamath as an SVG picture (cached by its
LaTeX, aligned on the baseline with the measured depth).

The HTML files use MathML from latex2mathml (with a few corrections), which
Chromium and Firefox render natively; no JavaScript, no CDN.
"""

from __future__ import annotations

import base64
import functools
import html
import re

# --------------------------------------------------------------------------------------- MathML


@functools.lru_cache(maxsize=20000)
def to_mathml(latex: str, display: bool = False) -> str:
    """MathML for one formula.

    The numbers in a formula change from student to student while its shape
    does not, so the numbers (and matrices of numbers) are lifted out, the
    skeleton is converted once and cached, and the numbers are put back as
    ``<mn>`` elements and tables: a class's exams cost a few conversions.
    """
    skeleton, fills = _lift_numbers(latex)
    mathml = _skeleton_mathml(skeleton, display)
    return _PLACEHOLDER.sub(lambda m: fills[_slot(m)], mathml) if fills else mathml


_MATRIX_OF_NUMBERS = re.compile(
    r"\\begin\{([bp]?matrix)\}((?:\s|\{-\}|-|\d|\.|&|\\\\)*)\\end\{\1\}")
_BRACED_NEGATIVE = re.compile(r"\{-\}\s*(\d+(?:\.\d+)?)(?!\w|\.\d)")
_UNSIGNED = re.compile(r"(?<![\w.\\])\d+(?:\.\d+)?(?!\w|\.\d)")  # a sentence's full stop may follow
_PLACEHOLDER = re.compile(r"<mi>(?:&#x0?(E1[0-9A-Fa-f]{2});|([\ue100-\ue1ff]))</mi>")
_FENCES = {"bmatrix": ("[", "]"), "pmatrix": ("(", ")"), "matrix": ("", "")}


def _slot(m) -> int:
    return (int(m.group(1), 16) if m.group(1) else ord(m.group(2))) - 0xE100


def _signed_mn(cell: str) -> str:
    cell = cell.strip().replace("{-}", "-")
    if cell.startswith("-"):
        return f"<mrow><mo>&#x02212;</mo><mn>{cell[1:].strip()}</mn></mrow>"
    return f"<mn>{cell}</mn>"


def _matrix_mathml(kind: str, body: str) -> str:
    rows = [r for r in re.split(r"\\\\", body) if r.strip()]
    table = "".join("<mtr>" + "".join(f"<mtd>{_signed_mn(c)}</mtd>" for c in r.split("&")) + "</mtr>"
                    for r in rows)
    left, right = _FENCES[kind]
    fence = lambda f: f"<mo>{f}</mo>" if f else ""
    return f"<mrow>{fence(left)}<mtable>{table}</mtable>{fence(right)}</mrow>"


def _lift_numbers(latex: str) -> tuple[str, list]:
    fills: list = []

    def hold(html: str) -> str:
        if len(fills) >= 256:
            raise OverflowError
        fills.append(html)
        return " " + chr(0xE100 + len(fills) - 1) + " "

    try:
        skeleton = _MATRIX_OF_NUMBERS.sub(lambda m: hold(_matrix_mathml(m.group(1), m.group(2))), latex)
        # "{-}0.3" (how the templates' filters write a negative number) is one signed number
        skeleton = _BRACED_NEGATIVE.sub(lambda m: hold(_signed_mn("-" + m.group(1))), skeleton)
        skeleton = _UNSIGNED.sub(lambda m: hold(f"<mn>{m.group(0)}</mn>"), skeleton)
    except OverflowError:
        return latex, []
    return skeleton, fills


@functools.lru_cache(maxsize=20000)
def _skeleton_mathml(latex: str, display: bool) -> str:
    import latex2mathml.converter

    source = _normalise_tex(latex)
    mathml = latex2mathml.converter.convert(source, display="block" if display else "inline")
    # a caret or tilde over a letter is a small accent (U+02C6, U+02DC), not a stretched ASCII
    # operator, and every over-script operator (hat, tilde, bar, arrow) sits close as an accent
    mathml = re.sub(r'<mo(?: stretchy="false")?>&#x0005E;</mo></mover>', '<mo stretchy="false">&#x002C6;</mo></mover>', mathml)
    mathml = re.sub(r'<mo(?: stretchy="false")?>&#x0007E;</mo></mover>', '<mo stretchy="false">&#x002DC;</mo></mover>', mathml)
    mathml = mathml.replace("<mover><mrow>", '<mover accent="true"><mrow>')
    return mathml


def _normalise_tex(latex: str) -> str:
    latex = latex.replace(r"\operatorname*", r"\operatorname")
    # a minus after "=" or "," is unary: braces stop the binary-operator spacing
    return re.sub(r"(=|,|\(|\[)\s*-(\s*[\d.\ue100-\ue1ff]+)", r"\1 {-\2}", latex)


# ----------------------------------------------------------------------- HTML math for WeasyPrint

GREEK = {name: ch for name, ch in zip(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho "
    "sigma tau upsilon phi varphi chi psi omega".split(),
    "αβγδϵεζηθϑικλμνξπρστυϕφχψω")}
GREEK_UPPER = {name: ch for name, ch in zip("Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega".split(),
                                            "ΓΔΘΛΞΠΣΦΨΩ")}
RELATIONS = {"=": "=", "<": "<", ">": ">", r"\leq": "≤", r"\le": "≤", r"\geq": "≥", r"\ge": "≥",
             r"\neq": "≠", r"\approx": "≈", r"\sim": "∼", r"\to": "→", r"\rightarrow": "→",
             r"\leftarrow": "←", r"\in": "∈", r"\propto": "∝", r"\equiv": "≡", r"\mapsto": "↦",
             r"\Rightarrow": "⇒", r"\iff": "⇔"}
BINARY = {"+": "+", "-": "−", r"\cdot": "·", r"\times": "×", r"\odot": "⊙", r"\otimes": "⊗",
          r"\pm": "±", r"\circ": "∘", "*": "∗", "/": "/"}
SYMBOLS = {r"\infty": "∞", r"\partial": "∂", r"\nabla": "∇", r"\ldots": "…", r"\dots": "…",
           r"\cdots": "⋯", r"\mid": "|", r"\lfloor": "⌊", r"\rfloor": "⌋", r"\lceil": "⌈",
           r"\rceil": "⌉", r"\langle": "⟨", r"\rangle": "⟩", r"\|": "‖", r"\{": "{", r"\}": "}",
           r"\top": "⊤", r"\prime": "′", r"\ell": "ℓ", r"\forall": "∀", r"\exists": "∃",
           r"\emptyset": "∅", r"\%": "%", r"\#": "#", r"\_": "_", r"\&": "&"}
FUNCTIONS = {r"\tanh", r"\log", r"\exp", r"\max", r"\min", r"\sin", r"\cos", r"\ln", r"\det",
             r"\arg", r"\sup", r"\inf", r"\lim", r"\sigmoid", r"\softmax"}
BIG = {r"\sum": "∑", r"\prod": "∏", r"\int": "∫"}
SPACES = {r"\,": "\u2009", r"\;": "\u2005", r"\:": "\u2005", r"\ ": " ", r"\quad": "\u2003",
          r"\qquad": "\u2003\u2003", r"\!": "", "~": "\u00a0"}
ACCENTS = {r"\hat": "\u0302", r"\widehat": "\u0302", r"\tilde": "\u0303", r"\widetilde": "\u0303",
           r"\bar": "\u0304", r"\overline": "\u0305", r"\dot": "\u0307", r"\ddot": "\u0308"}
ARROWS = {r"\vec": "\u2192", r"\overrightarrow": "\u2192", r"\overleftarrow": "\u2190"}
FONTS = {r"\text": "mtext", r"\mathrm": "mrm", r"\operatorname": "mrm", r"\mathbf": "mbf",
         r"\boldsymbol": "mbf", r"\mathit": "mi", r"\mathbb": "mbb", r"\mathcal": "mcal"}
DOUBLE_STRUCK = {"R": "ℝ", "E": "𝔼", "N": "ℕ", "Z": "ℤ", "P": "ℙ", "Q": "ℚ"}
DELIMS = {".": "", r"\{": "{", r"\}": "}", r"\lfloor": "⌊", r"\rfloor": "⌋", r"\lceil": "⌈",
          r"\rceil": "⌉", r"\|": "‖", r"\langle": "⟨", r"\rangle": "⟩", r"\lvert": "|", r"\rvert": "|"}
MATRICES = {"bmatrix": ("[", "]"), "pmatrix": ("(", ")"), "vmatrix": ("|", "|"),
            "Bmatrix": ("{", "}"), "matrix": ("", "")}

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_&]|\s+|[0-9]+(?:\.[0-9]+)?|.", re.S)


class Unsupported(Exception):
    """A construct the HTML typesetter does not know: the formula goes to SVG instead."""


def _tokens(latex: str) -> list:
    """The formula's tokens, each run of white space one " " (math ignores it, ``\\text`` keeps it)."""
    return [" " if t.isspace() else t for t in _TOKEN.findall(latex)]


def math_italic(letter: str) -> str:
    """A Latin letter as its Unicode Mathematical Italic character (h is U+210E, Planck's constant).

    Each one is a character of the text run, not an <i> element: WeasyPrint's
    cost grows with the number of inline boxes, and a formula's letters were
    most of a page's boxes. DejaVu Serif (the page's math font) has these glyphs.
    """
    if letter == "h":
        return "\u210e"
    return chr((0x1D44E - ord("a") if letter.islower() else 0x1D434 - ord("A")) + ord(letter))


class _Typesetter:
    def __init__(self, latex: str, display: bool, letters: str = "math"):
        self.tokens = _tokens(latex)
        self.pos = 0
        self.display = display
        self.letters = letters  # "math" (math italic), "upright" (\mathrm, \text) or "italic" (<i>)
        self.tall = False  # the formula holds something taller than a line (frac, matrix)
        self.script = 0    # > 0 inside sub- and superscripts: operators get no spacing

    def peek(self):
        while self.pos < len(self.tokens) and self.tokens[self.pos] == " ":
            self.pos += 1  # white space means nothing in math
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        tok = self.peek()
        if tok is None:
            raise Unsupported("unexpected end")
        self.pos += 1
        return tok

    def group(self) -> str:
        """A braced group or a single token, typeset."""
        if self.peek() == "{":
            self.take()
            out = self.sequence(stop="}")
            self.take()
            return out
        return self.atom(self.take(), last=None)

    def raw_group(self) -> str:
        """A braced group's text as written, its spaces kept (for ``\\text{natural log}``)."""
        if self.peek() != "{":
            return self.take()
        self.take()
        depth, out = 1, []
        while True:
            if self.pos >= len(self.tokens):
                raise Unsupported("unexpected end")
            tok = self.tokens[self.pos]
            self.pos += 1
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
                if depth == 0:
                    return "".join(out)
            out.append(tok)

    def sequence(self, stop=None) -> str:
        out, last = [], None
        while self.peek() is not None and self.peek() != stop:
            if stop is None and self.peek() == "}":
                raise Unsupported("unbalanced brace")
            if self.peek() in ("&", r"\\") and stop in ("&row",):
                break
            if self.peek() == r"\end":
                break
            tok = self.take()
            if tok in ("^", "_"):
                raise Unsupported("script without a base")
            piece, kind = self.atom(tok, last), self.kind(tok, last)
            piece = self.scripts(piece, tok)
            out.append(piece)
            last = kind
        return "".join(out)

    def kind(self, tok, last):
        if tok in RELATIONS:
            return "rel"
        if tok in BINARY:
            return "bin"
        if tok in ("(", "[", r"\left", ",", ";"):
            return "open"
        return "ord"

    def scripts(self, base: str, tok: str) -> str:
        sub = sup = None
        while self.peek() in ("^", "_"):
            which = self.take()
            self.script += 1
            try:
                value = self.group()
            finally:
                self.script -= 1
            if which == "^":
                sup = value
            else:
                sub = value
        if sub is None and sup is None:
            return base
        if tok in BIG and self.display:
            self.tall = True
            top = f'<span class="lim">{sup}</span>' if sup else ""
            bottom = f'<span class="lim">{sub}</span>' if sub else ""
            return f'<span class="bigop">{top}<span class="op">{base}</span>{bottom}</span>'
        if sub is not None and sup is not None:
            return f'{base}<span class="ss"><sup>{sup}</sup><sub>{sub}</sub></span>'
        return f"{base}<sub>{sub}</sub>" if sub is not None else f"{base}<sup>{sup}</sup>"

    def atom(self, tok: str, last) -> str:
        if tok == "{":
            if self.tokens[self.pos:self.pos + 2] == [",", "}"]:
                self.pos += 2
                return ","  # {,} is TeX's comma without space: a thousands separator
            inner = self.sequence(stop="}")
            self.take()
            return inner
        if tok.isalpha() and len(tok) == 1:
            if self.letters == "upright":
                return tok
            return math_italic(tok) if self.letters == "math" and tok.isascii() else f"<i>{tok}</i>"
        if re.fullmatch(r"[0-9]+(\.[0-9]+)?", tok) or tok == ".":
            return tok
        if tok in BINARY:
            sign = BINARY[tok]
            if (tok == "-" and last in (None, "rel", "bin", "open")) or self.script or tok == "/":
                return sign  # unary minus, or inside a script: no space
            return f"\u2005{sign}\u2005"
        if tok in RELATIONS:
            return RELATIONS[tok] if self.script else f"\u2005{RELATIONS[tok]}\u2005"
        if tok in (",", ";"):
            return tok + "\u2009"
        if tok in "()[]|!'":
            return {"'": "′"}.get(tok, tok)
        if tok in SPACES:
            return SPACES[tok]
        if tok in SYMBOLS:
            return SYMBOLS[tok]
        name = tok[1:]
        if name in GREEK:
            return f"<i>{GREEK[name]}</i>"
        if name in GREEK_UPPER:
            return GREEK_UPPER[name]
        if tok in FUNCTIONS:
            space = "" if self.peek() in ("(", "[", r"\left", "^", "_", None) else "\u2009"
            return f"{name}{space}"  # upright: the formula's text is upright, its letters math italic
        if tok in BIG:
            return f'<span class="big">{BIG[tok]}</span>'
        if tok in ARROWS:
            # a combining arrow (U+20D7) over math italic h prints as a tick like the h-bar: the
            # arrow is a glyph of its own, set above the symbol
            self.tall = True
            return f'<span class="arrowed"><span class="arrow">{ARROWS[tok]}</span>{self.group()}</span>'
        if tok in ACCENTS:
            inner = self.group()
            # the combining mark must sit in the same text run as its letter
            if re.fullmatch(r"<i>.</i>", inner):  # a Greek letter
                return f"<i>{inner[3]}{ACCENTS[tok]}</i>"
            if len(inner) == 1:
                return inner + ACCENTS[tok]
            raise Unsupported("accent over more than one symbol")
        if tok in FONTS:
            text = self.raw_group()
            if tok == r"\mathbb":
                return "".join(DOUBLE_STRUCK.get(c, c) for c in text)
            if tok == r"\text":
                return html.escape(text)
            letters = {r"\mathrm": "upright", r"\operatorname": "upright", r"\mathbf": "upright",
                       r"\boldsymbol": "italic"}.get(tok, "math")
            inner = _Typesetter(text, self.display, letters).sequence()
            return f'<b>{inner}</b>' if FONTS[tok] == "mbf" else inner
        if tok == r"\frac" or tok == r"\dfrac" or tok == r"\tfrac":
            num, den = self.group(), self.group()
            self.tall = True
            return (f'<span class="frac"><span class="num">{num}</span>'
                    f'<span class="den">{den}</span></span>')
        if tok == r"\sqrt":
            return f'√<span class="sqrt">{self.group()}</span>'
        if tok == r"\left":
            opening = self.take()
            was_tall, self.tall = self.tall, False
            inner = self.sequence(stop=r"\right")
            if self.take() != r"\right":
                raise Unsupported("\\left without \\right")
            closing = self.take()
            size = "delim big" if self.tall else "delim"
            self.tall = self.tall or was_tall
            return (f'<span class="{size}">{DELIMS.get(opening, opening)}</span>{inner}'
                    f'<span class="{size}">{DELIMS.get(closing, closing)}</span>')
        if tok in (r"\big", r"\Big", r"\bigg", r"\Bigg", r"\displaystyle", r"\limits", r"\nolimits"):
            return ""
        if tok == r"\begin":
            return self.environment(self.raw_group())
        raise Unsupported(tok)

    def environment(self, name: str) -> str:
        if name not in MATRICES:
            raise Unsupported(name)
        rows, row, cell = [], [], []
        while True:
            tok = self.peek()
            if tok is None:
                raise Unsupported("unterminated environment")
            if tok == r"\end":
                self.take()
                if self.raw_group() != name:
                    raise Unsupported("mismatched \\end")
                break
            if tok == "&":
                self.take()
                row.append(cell)
                cell = []
                continue
            if tok == r"\\":
                self.take()
                row.append(cell)
                rows.append(row)
                row, cell = [], []
                continue
            cell.append(self.take())
        if cell or row:
            row.append(cell)
            rows.append(row)
        self.tall = True
        left, right = MATRICES[name]
        cls = {"[": "bmat", "(": "pmat", "|": "vmat", "{": "pmat", "": "mat"}[left]
        setters = [[_Typesetter(" ".join(c), False) for c in r] for r in rows]
        cells = [[s.sequence() for s in r] for r in setters]
        if not any(s.tall for r in setters for s in r):
            # cells one line high: each column is one inline block whose lines are the rows
            # (white-space: pre), so a matrix is a few boxes, not a table of cells
            width = max(len(r) for r in cells)
            columns = ["\n".join(r[j] if j < len(r) else "" for r in cells) for j in range(width)]
            if width == 1:
                return f'<span class="{cls} mcol1">{columns[0]}</span>'
            body = "".join(f'<span class="mcol">{c}</span>' for c in columns)
            return f'<span class="{cls}">{body}</span>'
        # spans displayed as an inline table: a <table> element inside a line of text
        # makes WeasyPrint split the line box when the matrix wraps to the next line
        body = "".join('<span class="mr">' + "".join(f'<span class="mc">{c}</span>' for c in r) + "</span>"
                       for r in cells)
        return f'<span class="{cls}"><span class="mt">{body}</span></span>'


def to_html(latex: str, display: bool = False) -> str:
    """The formula typeset as HTML for WeasyPrint; raises Unsupported for what it does not know."""
    setter = _Typesetter(latex, display)
    body = setter.sequence().replace("</i><i>", "").replace("</b><b>", "")
    if setter.peek() is not None:
        raise Unsupported("trailing input")
    cls = "math display" if display else ("math tall" if setter.tall else "math")
    return f'<span class="{cls}">{body}</span>'


@functools.lru_cache(maxsize=5000)
def to_svg_img(latex: str, display: bool = False, size: float = 20.0) -> str:
    """An <img> of ziamath's SVG, sized and baseline-aligned in em (cached by LaTeX)."""
    import ziamath

    ziamath.config.svg2 = False  # plain paths: no stray glyphs when one data URI repeats
    math = ziamath.Latex(_normalise_tex(latex), size=size, inline=not display)
    svg = math.svg()
    box, margin = math.node.bbox, math.margin
    width = (box.xmax - box.xmin + 2 * margin) / size
    height = (box.ymax - box.ymin + 2 * margin) / size
    valign = (box.ymin - margin) / size
    data = base64.b64encode(svg.encode()).decode()
    style = f"width:{width:.3f}em;height:{height:.3f}em;vertical-align:{valign:.3f}em"
    img = f'<img class="svgmath" alt="{html.escape(latex)}" style="{style}" src="data:image/svg+xml;base64,{data}">'
    return f'<span class="math display">{img}</span>' if display else img


@functools.lru_cache(maxsize=50000)
def to_print_html(latex: str, display: bool = False) -> str:
    """HTML where the typesetter knows the formula, else the SVG picture."""
    try:
        return to_html(latex, display)
    except (Unsupported, RecursionError, IndexError):
        return to_svg_img(latex, display)
