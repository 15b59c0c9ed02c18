"""A spec that selects every template of the bank in both forms (typed, choice) and every size it has:
each template is listed several times, so the exports must also keep its identifiers apart."""

from quizgen.bank.loader import load_bank

FORMS = ("typed", "choice")
SIZES = ("calculator", "computer")


def every_template_spec() -> str:
    """The spec's TOML: a section per (form, size) listing the templates that have that size."""
    bank = load_bank(())
    lines = ['title = "Every template"', 'exam_id = "every-template"', ""]
    for form in FORMS:
        for size in SIZES:
            ids = sorted(t.id for t in bank.templates.values() if size in t.sizes)
            lines += ["[[section]]", f'title = "{form} {size}"', f"ids = {ids!r}".replace("'", '"'),
                      f'form = "{form}"', f'size = "{size}"', ""]
    return "\n".join(lines)


def export_every_template(root, exporter: str, seed: int, out_name: str):
    """Export the every-template spec with ``exporter`` (1 variant) into ``root``: (report, out, spec)."""
    from quizgen.export import get_exporter

    spec = root / "every.toml"
    spec.write_text(every_template_spec(), encoding="utf-8")
    out = root / out_name
    return get_exporter(exporter).export(spec, 1, out, seed=seed), out, spec
