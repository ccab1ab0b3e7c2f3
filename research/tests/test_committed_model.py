import hashlib
import json
from pathlib import Path

import pytest

from triage_research.cli import main
from triage_research.export import read_metadata

MODELS = Path(__file__).resolve().parents[1] / "models"


@pytest.fixture(scope="module")
def active():
    path = MODELS / "active.json"
    if not path.exists():
        pytest.skip("no committed model yet")
    return json.loads(path.read_text())


def test_committed_files_belong_together(active):
    onnx = MODELS / active["file"]
    version = active["version"]
    assert hashlib.sha256(onnx.read_bytes()).hexdigest() == active["sha256"]
    report = json.loads((MODELS / f"{version}.report.json").read_text())
    assert report["model"]["onnx_sha256"] == active["sha256"]
    meta = read_metadata(onnx)
    assert meta["version"] == version
    assert meta["threshold"] == report["operating_point"]["threshold"]
    assert meta["metrics"]["auc"] == report["test"]["metrics"]["auc"]
    card = (MODELS / f"{version}.card.md").read_text()
    assert version in card and active["sha256"] in card
    assert f"{report['test']['metrics']['auc']:.3f}" in card


def test_committed_checkpoint_reproduces_its_report(active, data_path, capsys):
    """PyTorch re-evaluation of the committed weights gives exactly the stored test metrics."""
    assert main(["evaluate", "--data", str(data_path), "--resamples", "50"]) == 0
    printed = json.loads(capsys.readouterr().out)
    report = json.loads((MODELS / f"{active['version']}.report.json").read_text())
    assert printed["metrics"] == report["test"]["metrics"]
