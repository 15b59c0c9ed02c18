"""Exported pools are drawn from the exam secret, as builds are: a student who guesses the spec and runs
the exporter rebuilds nothing. A public seed draws a practice pool only when asked for, and the report
says which; without either, the export refuses."""

import os

import pytest
from click.testing import CliRunner

from quizgen.cli import main
from quizgen.errors import InputError
from quizgen.export import EXPORTERS, get_exporter
from quizgen.export.common import PoolDraw, select_pool
from quizgen.papers.spec import load_spec

SPEC = 'title = "Pool"\nexam_id = "pool-test"\n[[section]]\ntitle = "Numbers"\nids = ["dbm.energy", "lstm.cell_step"]\n'


@pytest.fixture()
def spec(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def secret(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text * 64)
    os.chmod(path, 0o600)
    return path


def keys(spec_path, draw):
    _, items = select_pool(spec_path, (), 3, draw)
    return [(item.template.id, v.answers) for item in items for v in item.variants]


@pytest.mark.parametrize("name", list(EXPORTERS))
def test_two_secrets_give_two_pools_and_one_secret_the_same_file(spec, tmp_path, name):
    first, second = secret(tmp_path, "a.secret", "a"), secret(tmp_path, "b.secret", "b")
    exporter = get_exporter(name)
    report = exporter.export(spec, 2, tmp_path / "a1", secret_file=first)
    exporter.export(spec, 2, tmp_path / "a2", secret_file=first)
    exporter.export(spec, 2, tmp_path / "b", secret_file=second)
    exporter.export(spec, 2, tmp_path / "public", seed=0)
    assert (tmp_path / "a1").read_bytes() == (tmp_path / "a2").read_bytes()
    assert (tmp_path / "a1").read_bytes() != (tmp_path / "b").read_bytes()
    assert (tmp_path / "a1").read_bytes() != (tmp_path / "public").read_bytes()
    assert "the exam secret" in report.summary() and "public seed" not in report.summary()


def test_the_keys_differ_with_the_secret_and_not_with_the_spec_alone(spec, tmp_path):
    loaded = load_spec(spec)
    by_secret = {name: keys(spec, PoolDraw.of(loaded, None, secret(tmp_path, name, name[0])))
                 for name in ("a.secret", "b.secret")}
    guessed = keys(spec, 0)  # what a student gets from the spec with the default of old
    assert by_secret["a.secret"] != by_secret["b.secret"]
    for pool in by_secret.values():
        assert not {repr(a) for _, a in pool} & {repr(a) for _, a in guessed}


def test_without_a_secret_or_a_public_seed_the_export_refuses(spec, tmp_path):
    with pytest.raises(InputError) as caught:
        get_exporter("moodle").export(spec, 1, tmp_path / "x.xml")
    assert "--secret-file" in str(caught.value) and "--public-seed" in str(caught.value)
    with pytest.raises(InputError):
        get_exporter("moodle").export(spec, 1, tmp_path / "x.xml", seed=1,
                                      secret_file=secret(tmp_path, "a.secret", "a"))
    assert not (tmp_path / "x.xml").exists()
    result = CliRunner().invoke(main, ["export", "qti", str(spec), "--out", str(tmp_path / "x.zip")])
    assert result.exit_code == 2 and "no exam secret" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.zip").exists()


def test_the_cli_says_where_the_variants_come_from(spec, tmp_path):
    runner = CliRunner()
    made = runner.invoke(main, ["export", "moodle", str(spec), "--variants", "1", "--out", str(tmp_path / "s.xml"),
                                "--secret-file", str(tmp_path / "new" / "exam.secret")])
    assert made.exit_code == 0, made.output
    assert "drawn from the exam secret" in made.output and "created the exam secret" in made.output
    assert (tmp_path / "new" / "exam.secret").stat().st_mode & 0o077 == 0
    practice = runner.invoke(main, ["export", "moodle", str(spec), "--variants", "1", "--out", str(tmp_path / "p.xml"),
                                    "--public-seed", "4"])
    assert practice.exit_code == 0 and "public seed 4" in practice.output and "anyone" in practice.output
