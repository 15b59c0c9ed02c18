"""LaTeX math to readable Unicode text, for the terminal (``show``, ``practice``).

Not a TeX engine: it covers what the course's stems use (Greek letters,
sub/superscripts, ``\\frac``, ``\\sqrt``, accents, ``\\odot``, bmatrix/pmatrix,
``\\lfloor``...). Inline math becomes one line; a display matrix becomes
aligned rows.
"""

from __future__ import annotations

import html
import re

SYMBOLS = {
    r"\alpha": "α", r"\beta": "β", r"\gamma": "γ", r"\delta": "δ", r"\epsilon": "ε",
    r"\varepsilon": "ε", r"\eta": "η", r"\theta": "θ", r"\lambda": "λ", r"\mu": "μ",
    r"\pi": "π", r"\rho": "ρ", r"\sigma": "σ", r"\tau": "τ", r"\phi": "φ", r"\psi": "ψ",
    r"\omega": "ω", r"\Delta": "Δ", r"\Sigma": "Σ", r"\Omega": "Ω", r"\nabla": "∇",
    r"\partial": "∂", r"\odot": "⊙", r"\otimes": "⊗", r"\cdot": "·", r"\times": "×",
    r"\leq": "≤", r"\le": "≤", r"\geq": "≥", r"\ge": "≥", r"\neq": "≠", r"\approx": "≈",
    r"\sum": "Σ", r"\prod": "Π", r"\infty": "∞", r"\in": "∈", r"\to": "→",
    r"\rightarrow": "→", r"\leftarrow": "←", r"\mid": "|", r"\lfloor": "⌊", r"\rfloor": "⌋",
    r"\lceil": "⌈", r"\rceil": "⌉", r"\log": "log", r"\exp": "exp", r"\tanh": "tanh",
    r"\max": "max", r"\min": "min", r"\ln": "ln", r"\quad": "  ", r"\qquad": "    ",
    r"\,": " ", r"\;": " ", r"\!": "", r"\ ": " ", r"\left": "", r"\right": "",
    r"\mathbb{R}": "ℝ", r"\mathbb{E}": "𝔼", r"\top": "ᵀ", r"\ldots": "…", r"\dots": "…",
    r"\cdots": "⋯", r"\{": "\ue000", r"\}": "\ue001", r"\|": "‖", r"\sim": "~", r"\pm": "±",
    r"\Big": "", r"\big": "", r"\Bigg": "", r"\bigg": "", r"\displaystyle": "",
    r"\propto": "∝", r"\equiv": "≡", r"\mapsto": "↦", r"\lVert": "‖", r"\rVert": "‖", r"\lvert": "|", r"\rvert": "|", r"\iff": "⇔",
    r"\Rightarrow": "⇒", r"\langle": "⟨", r"\rangle": "⟩", r"\mathcal{N}": "𝒩", r"\ell": "ℓ",
}
SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
SUP = dict(zip("0123456789+-=()inTt", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᵀᵗ"))
ACCENTS = {"tilde": "\u0303", "hat": "\u0302", "bar": "\u0304", "dot": "\u0307", "vec": "\u20d7",
           "overrightarrow": "\u20d7", "overleftarrow": "\u20d6"}

_GROUP = r"\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}"  # up to three levels of braces


def _script(body: str, table: dict, mark: str) -> str:
    body = body.replace(" ", "")
    if body and all(c in table for c in body):
        return "".join(table[c] for c in body)
    return f"{mark}({body})" if len(body) > 1 else f"{mark}{body}"


def _inline(tex: str) -> str:
    s = tex
    s = re.sub(r"\\(?:text|mathrm|operatorname|mathbf|boldsymbol|mathit)\s*" + _GROUP, r"\1", s)
    for name, mark in ACCENTS.items():
        s = re.sub(r"\\" + name + r"\s*" + _GROUP, lambda m, mk=mark: _accent(m.group(1), mk), s)
        s = re.sub(r"\\" + name + r"\s+([A-Za-z])", lambda m, mk=mark: m.group(1) + mk, s)
    for _ in range(3):  # nested fractions
        s = re.sub(r"\\[dt]?frac\s*" + _GROUP + r"\s*" + _GROUP,
                   lambda m: f"{_paren(m.group(1))}/{_paren(m.group(2))}", s)
        s = re.sub(r"\\sqrt\s*" + _GROUP, lambda m: f"√{_paren(m.group(1))}", s)
    for key in sorted(SYMBOLS, key=len, reverse=True):
        # a command named by letters must not match the start of a longer one (\in in \infty)
        guard = r"(?![A-Za-z])" if key[-1].isalpha() else ""
        s = re.sub(re.escape(key) + guard, lambda m, v=SYMBOLS[key]: v, s)
    s = re.sub(r"_" + _GROUP, lambda m: _script(m.group(1), SUB, "_"), s)
    s = re.sub(r"\^" + _GROUP, lambda m: _script(m.group(1), SUP, "^"), s)
    s = re.sub(r"_(\w)", lambda m: _script(m.group(1), SUB, "_"), s)
    s = re.sub(r"\^(\w)", lambda m: _script(m.group(1), SUP, "^"), s)
    s = s.replace("^ᵀ", "ᵀ")
    s = s.replace("{-}", "-").replace("{,}", ",").replace("{", "").replace("}", "")
    s = s.replace("\ue000", "{").replace("\ue001", "}")  # literal braces, kept apart from TeX's groups
    return re.sub(r"[ \t]+", " ", s).strip()


def _paren(text: str) -> str:
    inner = _inline(text)
    return inner if re.fullmatch(r"[\w.·ₐ-ₜ₀-₉ᵀ⁰-⁹]+", inner) else f"({inner})"


def _accent(body: str, mark: str) -> str:
    body = _inline(body)
    return body[0] + mark + body[1:] if body else mark


_MATRIX = re.compile(r"\\begin\{([bpv]?matrix)\}(.*?)\\end\{\1\}", re.S)
_BRACKETS = {"bmatrix": ("[", "]"), "pmatrix": ("(", ")"), "vmatrix": ("|", "|"), "matrix": ("", "")}


def _matrix_rows(kind: str, body: str) -> list:
    rows = [[_inline(c) for c in r.split("&")] for r in re.split(r"\\\\", body) if r.strip()]
    widths = [max(len(r[j]) for r in rows if j < len(r)) for j in range(max(map(len, rows)))]
    left, right = _BRACKETS[kind]
    return [left + "  ".join(c.rjust(widths[j]) for j, c in enumerate(r)) + right for r in rows]


def display(tex: str) -> str:
    """A display formula; matrices are laid out as aligned rows side by side."""
    pieces, last = [], 0
    for m in _MATRIX.finditer(tex):
        pieces.append([_inline(tex[last:m.start()])])
        pieces.append(_matrix_rows(m.group(1), m.group(2)))
        last = m.end()
    pieces.append([_inline(tex[last:])])
    height = max(len(p) for p in pieces)
    mid = (height - 1) // 2
    lines = []
    for i in range(height):
        line = []
        for p in pieces:
            width = max(len(x) for x in p)
            top = mid - (len(p) - 1) // 2
            row = p[i - top] if 0 <= i - top < len(p) else ""
            line.append(row.ljust(width))
        lines.append(" ".join(x for x in line if x is not None).rstrip())
    return "\n".join(lines)


def inline(tex: str) -> str:
    """An inline formula on one line; matrices as [a, b; c, d]."""
    def flat(m):
        rows = [", ".join(_inline(c) for c in r.split("&")) for r in re.split(r"\\\\", m.group(2)) if r.strip()]
        return "[" + "; ".join(rows) + "]"
    return _inline(_MATRIX.sub(flat, tex))


def to_terminal(text: str) -> str:
    """Replace every ``$$...$$`` and ``$...$`` in ``text`` by its Unicode rendering."""
    text = re.sub(r"\$\$(.+?)\$\$", lambda m: "\n\n" + _indent(display(m.group(1))) + "\n\n", text, flags=re.S)
    text = re.sub(r"(?<!\\)\$(.+?)(?<!\\)\$", lambda m: inline(m.group(1)), text, flags=re.S)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return html.unescape(text.replace(r"\$", "$")).strip()


def _indent(block: str) -> str:
    return "\n".join("    " + line for line in block.splitlines())
