"""Command line: python -m triage_research <command> (see --help of each command)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path


from .data import default_data_path, ensure_dataset, load_split
from .evaluate import DEFAULT_TEST_USE, evaluate_test
from .export import export_onnx, metadata_metrics, read_metadata
from .model import predict
from .pipeline import ACTIVE_FILE, load_checkpoint, run
from .preprocess import normalize, preprocess_file, reference_pixels
from .train import TrainConfig, configure_torch

RESEARCH_DIR = Path(__file__).resolve().parents[1]


def train_config(args: argparse.Namespace) -> TrainConfig:
    """The training configuration the `train` command's arguments ask for."""
    cfg = TrainConfig(data=str(args.data or ""), extra_data=tuple(str(p) for p in args.extra_data))
    overrides = {
        "members": args.members,
        "max_epochs": args.max_epochs,
        "min_epochs": args.min_epochs,
        "patience": args.patience,
        "seed": args.seed,
        "threads": args.threads,
        "target_sensitivity": args.target_sensitivity,
        "train_limit": args.train_limit,
    }
    if args.quick:  # the CI smoke run: two epochs of one member, unless the flags below say otherwise
        cfg = replace(cfg, members=1, max_epochs=2, min_epochs=1)
    return replace(cfg, **{k: v for k, v in overrides.items() if v is not None})


def _train(args: argparse.Namespace) -> int:
    cfg = train_config(args)
    test_use = DEFAULT_TEST_USE + (f" {args.test_note}" if args.test_note else "")
    _, report = run(cfg, args.out, args.version, activate=args.activate, resamples=args.resamples, test_use=test_use)
    print(json.dumps({"version": report["version"], "test": report["test"]["metrics"], "targets": report["targets"]}, indent=2))
    return 0


def _committed_checkpoint() -> Path:
    active = json.loads((RESEARCH_DIR / "models" / ACTIVE_FILE).read_text())
    return RESEARCH_DIR / "models" / active["file"].replace(".onnx", ".pt")


def _evaluate(args: argparse.Namespace) -> int:
    model, checkpoint = load_checkpoint(args.checkpoint or _committed_checkpoint())
    configure_torch(checkpoint["config"]["threads"], 0)
    data = ensure_dataset(Path(args.data) if args.data else default_data_path())
    test = evaluate_test(model, checkpoint["spec"], checkpoint["threshold"], data, resamples=args.resamples)
    print(json.dumps(test, indent=2))
    stored = checkpoint.get("report", {}).get("test", {}).get("metrics")
    if stored is not None and stored != test["metrics"]:
        print("the metrics differ from the ones stored with the checkpoint", file=sys.stderr)
        return 1
    return 0


def _export(args: argparse.Namespace) -> int:
    model, checkpoint = load_checkpoint(args.checkpoint)
    report = checkpoint.get("report")
    if report is None:
        print("the checkpoint has no report yet; run `train` (or `evaluate`) first", file=sys.stderr)
        return 1
    sha = export_onnx(
        model,
        args.out,
        version=checkpoint["version"],
        spec=checkpoint["spec"],
        threshold=checkpoint["threshold"],
        metrics=metadata_metrics(report),
        calibration={"method": "platt", "a": checkpoint["platt"][0], "b": checkpoint["platt"][1], "fitted_on": "validation"},
        training_data_sha256=checkpoint["data_sha256"],
    )
    print(json.dumps({"file": str(args.out), "sha256": sha, "metadata": read_metadata(args.out)}, indent=2))
    return 0


def _predict(args: argparse.Namespace) -> int:
    """PyTorch outputs of a checkpoint over a split: the reference side of the ONNX parity test."""
    model, checkpoint = load_checkpoint(args.checkpoint)
    configure_torch(checkpoint["config"]["threads"], 0)
    split = load_split(ensure_dataset(Path(args.data) if args.data else default_data_path()), args.split)
    norm = checkpoint["spec"]["normalize"]
    logits, risks = predict(model, normalize(split.images, norm["mean"], norm["std"]))
    out = {"split": args.split, "labels": split.labels.tolist(), "logits": logits.tolist(), "risks": risks.tolist()}
    Path(args.out).write_text(json.dumps(out))
    return 0


def _preprocess(args: argparse.Namespace) -> int:
    """Reference preprocessing (and optionally PyTorch risks) for full-resolution files."""
    spec = read_metadata(args.model)["input_spec"] if args.model else None
    model, checkpoint = load_checkpoint(args.checkpoint) if args.checkpoint else (None, None)
    if spec is None and checkpoint is not None:
        spec = checkpoint["spec"]
    if spec is None:
        print("give --model or --checkpoint for the input spec", file=sys.stderr)
        return 1
    results = []
    for file in args.files:
        tensor = preprocess_file(file, spec)
        entry = {"file": str(file), "pixels": reference_pixels(file, spec["size"]).reshape(-1).tolist(), "input": tensor.reshape(-1).tolist()}
        if model is not None:
            logit, risk = predict(model, tensor[None])
            entry["risk"] = float(risk[0])
            entry["label"] = "pneumonia" if float(risk[0]) >= checkpoint["threshold"] else "normal"
        results.append(entry)
    Path(args.out).write_text(json.dumps({"spec": spec, "results": results}))
    return 0


def _download(args: argparse.Namespace) -> int:
    path = ensure_dataset(Path(args.data) if args.data else default_data_path(), url=args.url)
    print(path)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m triage_research", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train, evaluate on test once, export ONNX + report + card")
    t.add_argument("--data", type=Path, help=f"PneumoniaMNIST .npz (default {default_data_path()})")
    t.add_argument("--extra-data", type=Path, nargs="*", default=[], help="further exports in the same format")
    t.add_argument("--out", type=Path, default=RESEARCH_DIR / "models")
    t.add_argument("--version", help="model version (default pneumonia-cnn-<date>-<weights hash>)")
    t.add_argument("--activate", action="store_true", help="make it the committed active model (models/active.json)")
    t.add_argument("--members", type=int)
    t.add_argument("--max-epochs", type=int)
    t.add_argument("--min-epochs", type=int)
    t.add_argument("--patience", type=int)
    t.add_argument("--seed", type=int)
    t.add_argument("--threads", type=int)
    t.add_argument("--target-sensitivity", type=float)
    t.add_argument("--train-limit", type=int)
    t.add_argument("--resamples", type=int, default=2000)
    t.add_argument("--quick", action="store_true", help="1 member x 2 epochs (the CI smoke run); explicit --members/--max-epochs/--min-epochs still apply")
    t.add_argument("--test-note", help="how the test split was used while developing this recipe (goes into the card)")
    t.set_defaults(run=_train)

    e = sub.add_parser("evaluate", help="re-evaluate a checkpoint on the test split")
    e.add_argument("--checkpoint", type=Path, help="default: the committed model (models/active.json)")
    e.add_argument("--data", type=Path)
    e.add_argument("--resamples", type=int, default=2000)
    e.set_defaults(run=_evaluate)

    x = sub.add_parser("export", help="re-export a checkpoint to ONNX")
    x.add_argument("--checkpoint", type=Path, required=True)
    x.add_argument("--out", type=Path, required=True)
    x.set_defaults(run=_export)

    r = sub.add_parser("predict", help="PyTorch logits/risks of a checkpoint over a split, as JSON")
    r.add_argument("--checkpoint", type=Path, required=True)
    r.add_argument("--data", type=Path)
    r.add_argument("--split", default="test", choices=["train", "val", "test"])
    r.add_argument("--out", type=Path, required=True)
    r.set_defaults(run=_predict)

    q = sub.add_parser("preprocess", help="reference preprocessing of full-resolution images, as JSON")
    q.add_argument("--model", type=Path, help="ONNX file whose input_spec to use")
    q.add_argument("--checkpoint", type=Path, help="checkpoint (input spec, and adds PyTorch risks/labels)")
    q.add_argument("--out", type=Path, required=True)
    q.add_argument("files", type=Path, nargs="+")
    q.set_defaults(run=_preprocess)

    d = sub.add_parser("download", help="fetch the .npz from Zenodo if it is not there yet (MD5-checked)")
    d.add_argument("--data", type=Path)
    d.add_argument("--url", default="https://zenodo.org/records/10519652/files/pneumoniamnist.npz")
    d.set_defaults(run=_download)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args) or 0)
