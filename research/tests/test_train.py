import json

import numpy as np
import pytest
import torch

from triage_research.export import read_metadata
from triage_research.model import predict
from triage_research.pipeline import load_checkpoint, run
from triage_research.preprocess import normalize
from triage_research.data import load_split
from triage_research.train import TrainConfig, train


def tiny_config(data_path, **overrides):
    return TrainConfig(
        data=str(data_path), members=1, max_epochs=1, min_epochs=1, train_limit=384, val_limit=160, **overrides
    )


def quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def first(data_path):
    return train(tiny_config(data_path), log=quiet)


def test_same_seed_gives_identical_weights_and_metrics(data_path, first):
    second = train(tiny_config(data_path), log=quiet)
    for key, value in first.member_states[0].items():
        assert torch.equal(value, second.member_states[0][key]), key
    assert first.val_metrics == second.val_metrics
    assert first.threshold == second.threshold
    other = train(tiny_config(data_path, seed=1), log=quiet)
    assert not torch.equal(other.member_states[0]["head.2.weight"], first.member_states[0]["head.2.weight"])


def test_threshold_and_calibration_come_from_validation(first):
    result = first
    assert result.val_metrics["n"] == 160, "the validation split, not the test split"
    assert result.val_metrics["sensitivity"] >= result.config.target_sensitivity
    assert 0.0 < result.threshold < 1.0


@pytest.mark.slow
def test_short_run_on_the_real_data_exports_a_described_onnx_model(data_path, tmp_path):
    """The CI smoke run: one epoch on all 4,708 training images, then the whole pipeline."""
    cfg = TrainConfig(data=str(data_path), members=1, max_epochs=1, min_epochs=1)
    result, report = run(cfg, tmp_path, version="ci-smoke", activate=True, resamples=200, log=quiet)

    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["active.json", "ci-smoke.card.md", "ci-smoke.onnx", "ci-smoke.pt", "ci-smoke.report.json"]
    meta = read_metadata(tmp_path / "ci-smoke.onnx")
    assert meta["version"] == "ci-smoke"
    assert meta["input_spec"]["size"] == 28 and meta["input_spec"]["resize"] == "triangle"
    assert meta["input_spec"]["crop"] == "center-square" and meta["input_spec"]["layout"] == "NCHW"
    assert 0.4 < meta["input_spec"]["normalize"]["mean"] < 0.7
    assert meta["threshold"] == result.threshold
    assert meta["metrics"]["auc"] == report["test"]["metrics"]["auc"]
    assert set(meta["metrics"]["ci95"]) >= {"auc", "accuracy", "sensitivity", "specificity", "f1", "ece"}
    assert meta["training_data_sha256"] == result.data_sha256
    assert meta["opset"] == 17
    assert meta["inputs"] == {"image": ["batch", 1, 28, 28]}
    assert meta["outputs"] == {"logit": ["batch"], "risk": ["batch"]}
    assert "CC BY 4.0" in meta["license"]

    # One epoch already learns something real on the untouched test split.
    assert report["test"]["metrics"]["auc"] > 0.85
    ci = report["test"]["ci95"]["auc"]
    assert ci[0] <= report["test"]["metrics"]["auc"] <= ci[1]

    card = (tmp_path / "ci-smoke.card.md").read_text()
    for heading in ("## Intended use", "## Data provenance and licence", "## Limits", "### Comparison", "Training time"):
        assert heading in card
    assert "not a diagnosis" in card and "CC BY 4.0" in card and "Kermany" in card and "28x28" in card
    assert json.loads((tmp_path / "active.json").read_text())["file"] == "ci-smoke.onnx"

    # The saved checkpoint rebuilds the same model (what `evaluate` and the parity tests rely on).
    model, checkpoint = load_checkpoint(tmp_path / "ci-smoke.pt")
    test = load_split(data_path, "test")
    x = normalize(test.images[:64], checkpoint["spec"]["normalize"]["mean"], checkpoint["spec"]["normalize"]["std"])
    assert np.array_equal(predict(model, x)[1], predict(result.model, x)[1])
