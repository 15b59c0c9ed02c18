"""The registry of export formats: its names, a clear error for an unknown one, and each format
through the command line (the file the CLI writes is the exporter's, and reads back)."""

import zipfile
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from quizgen.cli import main
from quizgen.export import EXPORTERS, QTI_FLAVORS, ExportReport, Exporter, get_exporter


def test_the_registry_names_moodle_qti_and_canvas():
    assert list(EXPORTERS) == ["moodle", "qti", "canvas"]
    for name, exporter in EXPORTERS.items():
        assert isinstance(exporter, Exporter) and exporter.name == name and get_exporter(name) is exporter
    # every --flavor of `quizgen export qti` is a registered format, and the CLI offers each one
    assert set(QTI_FLAVORS.values()) <= set(EXPORTERS)
    qti_command = main.commands["export"].commands["qti"]
    flavor = next(p for p in qti_command.params if p.name == "flavor")
    assert list(flavor.type.choices) == list(QTI_FLAVORS)


def test_an_unknown_format_is_a_clear_error():
    with pytest.raises(ValueError) as caught:
        get_exporter("scorm")
    message = str(caught.value)
    assert "'scorm'" in message and "moodle, qti, canvas" in message


def test_bad_arguments(setup, tmp_path):
    spec, bank, _ = setup
    with pytest.raises(ValueError):
        get_exporter("scorm").export(spec, 1, tmp_path / "x.zip", banks=[bank])
    with pytest.raises(ValueError):
        get_exporter("moodle").export(spec, 0, tmp_path / "x.xml", banks=[bank])
    assert isinstance(get_exporter("moodle").export(spec, 1, tmp_path / "y.xml", banks=[bank], seed=1),
                      ExportReport)


def _questions_in(path, name) -> int:
    """How many questions the written file holds, read back from it."""
    if name == "moodle":
        quiz = ET.parse(path).getroot()
        return sum(1 for q in quiz.findall("question") if q.get("type") != "category")
    with zipfile.ZipFile(path) as archive:
        files = [n for n in archive.namelist() if n != "imsmanifest.xml"]
        if name == "qti":
            return len(files)
        (quiz,) = files
        return sum(1 for _ in ET.fromstring(archive.read(quiz)).iter(
            "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}item"))


@pytest.mark.parametrize("args, name", [(["moodle"], "moodle"), (["qti"], "qti"),
                                        (["qti", "--flavor", "qti21"], "qti"),
                                        (["qti", "--flavor", "canvas"], "canvas")])
def test_each_format_round_trips_through_the_cli(setup, tmp_path, args, name):
    spec, bank, _ = setup
    out = tmp_path / f"cli-{name}"
    runner = CliRunner()
    result = runner.invoke(main, ["export", *args, str(spec), "--variants", "2", "--seed", "7",
                                  "--bank", str(bank), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = get_exporter(name).export(spec, 2, tmp_path / f"lib-{name}", banks=[bank], seed=7)
    assert out.read_bytes() == (tmp_path / f"lib-{name}").read_bytes()
    assert result.stdout.splitlines()[0] == report.summary().splitlines()[0].replace(
        str(tmp_path / f"lib-{name}"), str(out))
    assert _questions_in(out, name) == report.questions > 0
    assert "Example" in runner.invoke(main, ["export", args[0], "--help"]).output


def test_the_cli_refuses_an_unknown_flavor(setup, tmp_path):
    spec, bank, _ = setup
    result = CliRunner().invoke(main, ["export", "qti", str(spec), "--flavor", "scorm", "--bank", str(bank),
                                       "--out", str(tmp_path / "x.zip")])
    assert result.exit_code == 2 and "scorm" in result.output and not (tmp_path / "x.zip").exists()
