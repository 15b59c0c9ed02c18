"""Fixtures of the export tests: the pool's spec and bank on disk, and the IMS schemas."""

from pathlib import Path

import pytest

from tests.quizgen.export.pool import SPEC, SYMBOLIC_TEMPLATE

DATA = Path(__file__).resolve().parents[2] / "data" / "qti"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    bank = root / "custom"  # a template directly in a bank folder takes its name as topic
    bank.mkdir()
    (bank / "derivative.py").write_text(SYMBOLIC_TEMPLATE, encoding="utf-8")
    spec = root / "spec.toml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec, bank, root


@pytest.fixture(scope="module")
def schemas():
    etree = pytest.importorskip("lxml.etree", reason="lxml validates against the IMS schemas")
    return (etree, etree.XMLSchema(etree.parse(str(DATA / "qtiv2p1" / "imsqti_v2p1.xsd"))),
            etree.XMLSchema(etree.parse(str(DATA / "imscp_v1p1.xsd"))))
