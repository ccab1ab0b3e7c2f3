"""Evaluation on the official test split (touched once, for the report) and the model card."""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from .data import OFFICIAL_SIZES, file_digest, load_split
from .metrics import bootstrap_ci, point_metrics
from .model import predict
from .preprocess import normalize

TARGETS = {
    "must": {"auc": 0.98, "accuracy": 0.92, "sensitivity": 0.95},
    "aim": {"auc": 0.991, "accuracy": 0.946},
}

# Published 28x28 results on this test split (MedMNIST v2, Yang et al. 2023) and the
# full-resolution result of Kermany et al. 2018.
PUBLISHED = [
    {"model": "ResNet-18 (28)", "auc": 0.944, "accuracy": 0.854, "source": "MedMNIST v2"},
    {"model": "ResNet-50 (28)", "auc": 0.948, "accuracy": 0.854, "source": "MedMNIST v2"},
    {"model": "AutoKeras", "auc": 0.947, "accuracy": 0.878, "source": "MedMNIST v2"},
    {"model": "Google AutoML Vision", "auc": 0.991, "accuracy": 0.946, "source": "MedMNIST v2"},
    {
        "model": "Kermany et al. (full resolution, transfer learning)",
        "auc": None,
        "accuracy": 0.928,
        "sensitivity": 0.932,
        "specificity": 0.901,
        "source": "Kermany et al. 2018",
    },
]


def test_predictions(model: torch.nn.Module, spec: dict, data_path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(labels, logits, risks) on the official test split."""
    test = load_split(data_path, "test")
    inputs = normalize(test.images, spec["normalize"]["mean"], spec["normalize"]["std"])
    logits, risks = predict(model, inputs)
    return test.labels, logits, risks


def evaluate_test(
    model: torch.nn.Module,
    spec: dict,
    threshold: float,
    data_path: Path,
    resamples: int = 2000,
    seed: int = 20240117,
) -> dict:
    labels, logits, risks = test_predictions(model, spec, data_path)
    metrics = point_metrics(labels, logits, risks, threshold)
    ci = bootstrap_ci(labels, logits, risks, threshold, resamples=resamples, seed=seed)
    return {
        "split": "test",
        "n": int(labels.size),
        "positives": int(labels.sum()),
        "threshold": threshold,
        "metrics": metrics,
        "ci95": ci,
        "bootstrap": {"resamples": resamples, "seed": seed, "method": "percentile, cases resampled, threshold fixed"},
        "data_file_sha256": file_digest(Path(data_path)),
    }


def targets_check(test_metrics: dict) -> dict:
    out = {}
    for level, targets in TARGETS.items():
        out[level] = {k: {"target": v, "value": test_metrics[k], "met": bool(test_metrics[k] >= v)} for k, v in targets.items()}
    return out


DEFAULT_TEST_USE = (
    "The test split is read once per training run, after the threshold and the calibration are fixed on "
    "validation, to write this report."
)


def build_report(
    *,
    version: str,
    checkpoint: dict,
    test: dict,
    test_use: str = DEFAULT_TEST_USE,
    onnx_sha256: str | None = None,
    opset: int | None = None,
    parameters: int | None = None,
) -> dict:
    cfg = checkpoint["config"]
    return {
        "version": version,
        "createdAt": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "task": "pneumonia vs normal, paediatric chest X-ray (PneumoniaMNIST 28x28)",
        "model": {
            "architecture": "VGG-style CNN (3 double-conv blocks, BN, max-pool, dropout, linear)",
            "arch": cfg["arch"],
            "ensemble_members": cfg["members"],
            "parameters": parameters,
            "outputs": {"logit": "calibrated logit", "risk": "P(pneumonia) = sigmoid(logit)"},
            "onnx_sha256": onnx_sha256,
            "opset": opset,
        },
        "input_spec": checkpoint["spec"],
        "calibration": {"method": "Platt scaling of the ensemble-mean logit", "a": checkpoint["platt"][0], "b": checkpoint["platt"][1], "fitted_on": "validation"},
        "operating_point": {
            "name": "triage (sensitivity first)",
            "threshold": checkpoint["threshold"],
            "rule": f"highest threshold with validation sensitivity >= {cfg['target_sensitivity']}",
            "chosen_on": "validation",
            "validation": checkpoint["val_metrics"],
        },
        "test": {**test, "use": test_use},
        "targets": targets_check(test["metrics"]),
        "published": PUBLISHED,
        "data": {
            "sources": checkpoint["data_sources"],
            "train_val_content_sha256": checkpoint["data_sha256"],
            "official_split_sizes": OFFICIAL_SIZES,
            "licence": "CC BY 4.0",
            "provenance": "Kermany et al. 2018 (Cell 172(5), doi:10.17632/rscbjbr9sj) via MedMNIST v2 (Yang et al. 2023)",
        },
        "training": {
            "config": cfg,
            "seconds": checkpoint["training_seconds"],
            "members": [
                {k: m[k] for k in ("seed", "best_epoch", "epochs_run", "best_val_auc")} for m in checkpoint["members"]
            ],
            "environment": {
                "python": platform.python_version(),
                "torch": torch.__version__,
                "numpy": np.__version__,
                "threads": cfg["threads"],
                "cpu": platform.processor() or platform.machine(),
            },
            "reproducibility": "same seed, data and thread count -> identical weights and metrics "
            "(deterministic CPU kernels; tests/test_train.py trains twice and compares)",
        },
    }


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _with_ci(report: dict, key: str) -> str:
    m, ci = report["test"]["metrics"], report["test"]["ci95"]
    return f"{m[key]:.3f} ({ci[key][0]:.3f}-{ci[key][1]:.3f})"


def model_card(report: dict) -> str:
    """The Markdown model card shipped next to the ONNX file."""
    t = report["test"]
    m = t["metrics"]
    c = m["confusion"]
    op = report["operating_point"]
    v = op["validation"]
    minutes = report["training"]["seconds"] / 60.0
    env = report["training"]["environment"]
    cfg = report["training"]["config"]
    spec = report["input_spec"]
    met = lambda level, k: "yes" if report["targets"][level][k]["met"] else "NO"  # noqa: E731
    lines = [
        f"# Model card: {report['version']}",
        "",
        "Pneumonia triage model for paediatric chest X-rays. ONNX file: "
        f"`{report['version']}.onnx` (SHA-256 `{report['model']['onnx_sha256']}`), opset {report['model']['opset']}.",
        "",
        "## Intended use",
        "- A **triage aid**: it orders the worklist so that films likely to show pneumonia are read first.",
        "- It is **not a diagnosis** and not a medical device. Every study is still read by a doctor; the doctor's",
        "  finding is the result. A low risk must never delay or replace reading a film.",
        "- Not for clinical use outside the research setting of this project.",
        "",
        "## Data provenance and licence",
        "- PneumoniaMNIST (MedMNIST v2, Yang et al., Scientific Data 2023), built from the chest X-ray collection of",
        "  Kermany et al. (2018), \"Identifying Medical Diagnoses and Treatable Diseases by Image-Based Deep Learning\",",
        "  Cell 172(5), doi:10.17632/rscbjbr9sj. Licence **CC BY 4.0**; keep this attribution wherever the model is shown",
        "  or shipped.",
        f"- Official splits: train {report['data']['official_split_sizes']['train']}, validation "
        f"{report['data']['official_split_sizes']['val']}, test {report['data']['official_split_sizes']['test']}. "
        "Test = the Kermany test set (234 normal, 390 pneumonia).",
        f"- Training data hash (SHA-256 of the train + validation pixels and labels): `{report['data']['train_val_content_sha256']}`",
    ]
    for s in report["data"]["sources"]:
        lines.append(f"- Source file `{s['file']}` SHA-256 `{s['sha256']}` ({s['train']} train, {s['val']} val rows).")
    lines += [
        f"- Test file SHA-256 `{t['data_file_sha256']}`.",
        "",
        "## Limits",
        "- Paediatric (age 1-5) anterior-posterior chest films from one centre (Guangzhou Women and Children's Medical",
        "  Center); other populations, adult films, lateral views and other hospitals' equipment are untested.",
        "- The input is 28x28 pixels: fine findings are invisible at this size. Pneumonia vs normal only; no",
        "  bacterial/viral distinction, no other findings.",
        "- Training prevalence is 74 % pneumonia, test 62.5 %; the risk is calibrated on validation (74 %), so at",
        "  another prevalence it over- or under-states the probability (see ECE below).",
        "- Full-resolution images are reduced exactly as stated in the input spec; burned-in text in the corner",
        "  survives the reduction as a few grey pixels.",
        "",
        "## Input spec (the contract in the ONNX metadata)",
        f"`{json.dumps(spec)}`: decode, grayscale (ITU-R 601-2 luma), center crop to the short edge, resize to",
        f"{spec['size']}x{spec['size']} with the triangle (antialiased bilinear) filter in float64 rounded once to uint8,",
        "then (v / 255 - mean) / std, float32, NCHW. Output `risk` = P(pneumonia), `logit` = its log-odds.",
        "",
        "## Results on the official test split",
        f"Threshold {op['threshold']:.4f} ({op['rule']}, chosen on validation). {t['use']}",
        f"95 % CIs: percentile bootstrap, {t['bootstrap']['resamples']} resamples, threshold fixed.",
        "",
        "| metric | test (95 % CI) | validation |",
        "|---|---|---|",
        f"| AUC | {_with_ci(report, 'auc')} | {_fmt(v['auc'])} |",
        f"| accuracy | {_with_ci(report, 'accuracy')} | {_fmt(v['accuracy'])} |",
        f"| sensitivity | {_with_ci(report, 'sensitivity')} | {_fmt(v['sensitivity'])} |",
        f"| specificity | {_with_ci(report, 'specificity')} | {_fmt(v['specificity'])} |",
        f"| F1 | {_with_ci(report, 'f1')} | {_fmt(v['f1'])} |",
        f"| ECE (15 bins) | {_with_ci(report, 'ece')} | {_fmt(v['ece'])} |",
        "",
        f"Confusion matrix (test, n = {t['n']}):",
        "",
        "| | predicted pneumonia | predicted normal |",
        "|---|---|---|",
        f"| pneumonia | {c['tp']} (TP) | {c['fn']} (FN) |",
        f"| normal | {c['fp']} (FP) | {c['tn']} (TN) |",
        "",
        "### Targets",
        "",
        "| target | value | met |",
        "|---|---|---|",
        f"| must: AUC >= 0.98 | {m['auc']:.4f} | {met('must', 'auc')} |",
        f"| must: accuracy >= 0.92 | {m['accuracy']:.4f} | {met('must', 'accuracy')} |",
        f"| must: sensitivity >= 0.95 at the triage threshold | {m['sensitivity']:.4f} | {met('must', 'sensitivity')} |",
        f"| aim: AUC >= 0.991 | {m['auc']:.4f} | {met('aim', 'auc')} |",
        f"| aim: accuracy >= 0.946 | {m['accuracy']:.4f} | {met('aim', 'accuracy')} |",
        "",
        "### Comparison (same test split)",
        "",
        "| model | input | AUC | accuracy | sensitivity | specificity |",
        "|---|---|---|---|---|---|",
        f"| **this model ({report['version']})** | 28x28 | **{m['auc']:.3f}** | **{m['accuracy']:.3f}** | "
        f"**{m['sensitivity']:.3f}** | **{m['specificity']:.3f}** |",
    ]
    for p in report["published"]:
        size = "full resolution" if "full" in p["model"] else "28x28"
        name = p["model"].replace(" (28)", "").replace(" (full resolution, transfer learning)", " (transfer learning)")
        lines.append(
            f"| {name} ({p['source']}) | {size} | {_fmt(p.get('auc'))} | {_fmt(p.get('accuracy'))} | "
            f"{_fmt(p.get('sensitivity'))} | {_fmt(p.get('specificity'))} |"
        )
    members = report["training"]["members"]
    lines += [
        "",
        "## Training",
        f"- {report['model']['architecture']}; ensemble of {report['model']['ensemble_members']} (seeds "
        f"{', '.join(str(mm['seed']) for mm in members)}), {report['model']['parameters']:,} parameters in total, trained from scratch"
        + (f" on the first {cfg['train_limit']} training images only" if cfg.get("train_limit") else "")
        + ".",
        f"- AdamW (lr {cfg['lr']}, weight decay {cfg['weight_decay']}), batch {cfg['batch_size']}, cosine schedule, "
        f"class-weighted BCE (label smoothing {cfg['label_smoothing']}), early stopping on validation AUC "
        f"(patience {cfg['patience']}, max {cfg['max_epochs']} epochs); best epochs "
        f"{', '.join(str(mm['best_epoch']) for mm in members)}.",
        f"- Augmentation: `{json.dumps(cfg['augment'])}`.",
        f"- Calibration: {report['calibration']['method']} (a = {report['calibration']['a']:.4f}, "
        f"b = {report['calibration']['b']:.4f}), fitted on validation.",
        f"- **Training time: {minutes:.1f} min** for this run ({sum(mm['epochs_run'] for mm in members)} epochs in total; "
        f"`npm run model:train` runs the full recipe) on this machine: {env['threads']} threads of a 2-core {env['cpu']} CPU "
        f"shared with other work, Python {env['python']}, torch {env['torch']}, numpy {env['numpy']}.",
        f"- Reproducibility: {report['training']['reproducibility']}.",
        "",
        "## Verification",
        "- PyTorch vs onnxruntime-node on all 624 test images: max |risk difference| <= 1e-4 "
        "(packages/model/test/parity.test.ts).",
        "- TypeScript preprocessing (sharp) vs this package's reference on the 24 full-resolution samples: max abs",
        "  difference of the normalised input <= one grey level / std, identical predicted labels.",
        "- TypeScript evaluation of this ONNX file over the test split reproduces the figures above",
        "  (packages/model/test/evaluate.test.ts).",
        "",
    ]
    return "\n".join(lines)
