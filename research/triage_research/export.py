"""ONNX export with the metadata the TypeScript side (packages/model) validates and relies on."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import onnx
import torch

from .model import TriageModel

# onnxruntime-node 1.30 runs opsets up to 23; torch 1.13 exports up to 17. The graph is plain
# Conv (batch norm folded in), Relu, MaxPool, Flatten, Gemm, Squeeze/Unsqueeze, Concat, ReduceMean,
# Mul, Add, Sigmoid.
OPSET = 17
INPUT_NAME = "image"
OUTPUT_NAMES = ("logit", "risk")
METADATA_KEYS = ("version", "input_spec", "threshold", "metrics", "calibration", "training_data_sha256", "license")
ATTRIBUTION = (
    "Trained on PneumoniaMNIST (MedMNIST v2, Yang et al. 2023) from Kermany et al. 2018, Cell 172(5), "
    "doi:10.17632/rscbjbr9sj, CC BY 4.0. Triage aid, not a diagnosis."
)


def metadata_metrics(report: dict) -> dict:
    """The test figures that travel inside the model file (the card has the rest)."""
    test = report["test"]
    m = test["metrics"]
    keys = ("auc", "accuracy", "sensitivity", "specificity", "f1", "ece")
    return {
        "split": "test",
        "n": test["n"],
        **{k: m[k] for k in keys},
        "confusion": m["confusion"],
        "ci95": {k: test["ci95"][k] for k in keys},
    }


def onnx_bytes(model: TriageModel, opset: int = OPSET) -> bytes:
    model.eval()
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(
            model,
            torch.zeros(2, 1, 28, 28),
            buffer,
            input_names=[INPUT_NAME],
            output_names=list(OUTPUT_NAMES),
            dynamic_axes={INPUT_NAME: {0: "batch"}, **{name: {0: "batch"} for name in OUTPUT_NAMES}},
            opset_version=opset,
            do_constant_folding=True,
        )
    return buffer.getvalue()


def export_onnx(
    model: TriageModel,
    path: Path | str,
    *,
    version: str,
    spec: dict,
    threshold: float,
    metrics: dict,
    calibration: dict,
    training_data_sha256: str,
    opset: int = OPSET,
) -> str:
    """Writes the ONNX file with its metadata properties; returns its SHA-256."""
    proto = onnx.load_from_string(onnx_bytes(model, opset))
    proto.producer_name = "triage-research"
    proto.doc_string = f"Pneumonia triage model {version}. {ATTRIBUTION}"
    props = {
        "version": version,
        "input_spec": json.dumps(spec),
        "threshold": json.dumps(threshold),
        "metrics": json.dumps(metrics),
        "calibration": json.dumps(calibration),
        "training_data_sha256": training_data_sha256,
        "license": ATTRIBUTION,
    }
    del proto.metadata_props[:]
    for key, value in props.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(proto)
    data = proto.SerializeToString()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def read_metadata(path: Path | str) -> dict:
    """metadata_props of an exported file, JSON values decoded."""
    proto = onnx.load(str(path), load_external_data=False)
    props = {p.key: p.value for p in proto.metadata_props}
    out: dict = {}
    for key, value in props.items():
        if key in ("input_spec", "threshold", "metrics", "calibration"):
            out[key] = json.loads(value)
        else:
            out[key] = value
    out["opset"] = max(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx"))
    out["inputs"] = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim] for i in proto.graph.input}
    out["outputs"] = {o.name: [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim] for o in proto.graph.output}
    return out
