"""The whole run, as functions the CLI and the notebooks share: train -> test report -> ONNX + card."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import torch

from .data import default_data_path, ensure_dataset
from .evaluate import DEFAULT_TEST_USE, build_report, evaluate_test, model_card
from .export import OPSET, export_onnx, metadata_metrics
from .model import TriageModel, build_triage_model
from .train import TrainConfig, TrainResult, train

ACTIVE_FILE = "active.json"


def default_version(checkpoint: dict) -> str:
    """pneumonia-cnn-<date>-<8 hex of the weights>: unique per trained model, stable per file."""
    h = hashlib.sha256()
    for state in checkpoint["member_states"]:
        for key in sorted(state):
            h.update(key.encode())
            h.update(state[key].numpy().tobytes())
    return f"pneumonia-cnn-{datetime.now(timezone.utc):%Y%m%d}-{h.hexdigest()[:8]}"


def save_checkpoint(checkpoint: dict, path: Path | str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint, str(path))


def load_checkpoint(path: Path | str) -> tuple[TriageModel, dict]:
    checkpoint = torch.load(str(path), map_location="cpu")
    if checkpoint.get("format") != "triage-research/1":
        raise ValueError(f"{path}: not a triage-research checkpoint")
    config = TrainConfig.from_dict(checkpoint["config"])
    model = build_triage_model(config.arch, checkpoint["member_states"], tuple(checkpoint["platt"]))
    return model, checkpoint


def write_artifacts(
    model: TriageModel,
    checkpoint: dict,
    out_dir: Path | str,
    version: str,
    data_path: Path | str | None = None,
    resamples: int = 2000,
    activate: bool = False,
    test_use: str = DEFAULT_TEST_USE,
) -> dict:
    """Evaluates on the test split (once), exports the ONNX file and writes report, card and checkpoint.

    Files: <out>/<version>.onnx, .report.json, .card.md, .pt (the checkpoint, so the PyTorch side
    can be re-evaluated and compared with onnxruntime without retraining).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data_file = ensure_dataset(Path(data_path) if data_path else default_data_path())
    test = evaluate_test(model, checkpoint["spec"], checkpoint["threshold"], data_file, resamples=resamples)
    calibration = {"method": "platt", "a": checkpoint["platt"][0], "b": checkpoint["platt"][1], "fitted_on": "validation"}
    parameters = sum(p.numel() for p in model.parameters())
    draft = build_report(version=version, checkpoint=checkpoint, test=test, opset=OPSET, parameters=parameters, test_use=test_use)
    onnx_path = out / f"{version}.onnx"
    sha = export_onnx(
        model,
        onnx_path,
        version=version,
        spec=checkpoint["spec"],
        threshold=checkpoint["threshold"],
        metrics=metadata_metrics(draft),
        calibration=calibration,
        training_data_sha256=checkpoint["data_sha256"],
    )
    report = {**draft, "model": {**draft["model"], "onnx_sha256": sha}}
    (out / f"{version}.report.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / f"{version}.card.md").write_text(model_card(report))
    save_checkpoint({**checkpoint, "version": version, "report": report}, out / f"{version}.pt")
    if activate:
        (out / ACTIVE_FILE).write_text(
            json.dumps({"version": version, "file": onnx_path.name, "sha256": sha}, indent=2) + "\n"
        )
    return report


def run(
    cfg: TrainConfig,
    out_dir: Path | str,
    version: str | None = None,
    activate: bool = False,
    resamples: int = 2000,
    log: Callable[[str], None] = print,
    test_use: str = DEFAULT_TEST_USE,
) -> tuple[TrainResult, dict]:
    """The full pipeline behind `npm run model:train`."""
    started = time.perf_counter()
    result = train(cfg, log=log)
    checkpoint = result.checkpoint()
    name = version or default_version(checkpoint)
    report = write_artifacts(result.model, checkpoint, out_dir, name, cfg.data or None, resamples, activate, test_use)
    log(f"{name}: pipeline took {time.perf_counter() - started:.0f} s (training {result.seconds:.0f} s)")
    return result, report
