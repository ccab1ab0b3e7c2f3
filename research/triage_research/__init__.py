"""Pneumonia triage model: data, training, evaluation and ONNX export (see research/README.md)."""

from .data import default_data_path, ensure_dataset, load_split, load_training_data
from .evaluate import evaluate_test, model_card
from .export import export_onnx, read_metadata
from .metrics import bootstrap_ci, expected_calibration_error, point_metrics, roc_auc
from .pipeline import load_checkpoint, run, write_artifacts
from .preprocess import input_spec, preprocess_file, reference_pixels
from .train import TrainConfig, train

__all__ = [
    "TrainConfig",
    "bootstrap_ci",
    "default_data_path",
    "ensure_dataset",
    "evaluate_test",
    "expected_calibration_error",
    "export_onnx",
    "input_spec",
    "load_checkpoint",
    "load_split",
    "load_training_data",
    "model_card",
    "point_metrics",
    "preprocess_file",
    "read_metadata",
    "reference_pixels",
    "roc_auc",
    "run",
    "train",
    "write_artifacts",
]
