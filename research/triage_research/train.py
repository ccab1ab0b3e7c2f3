"""Training: fixed seeds, X-ray augmentation, class-weighted loss, early stopping on validation.

The test split is never loaded here. Everything chosen after training - Platt calibration and the
triage threshold - is fitted on the validation split.
"""

from __future__ import annotations

import copy
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from .augment import AugmentConfig, augment_batch
from .data import TrainingData, default_data_path, ensure_dataset, load_training_data
from .metrics import fit_platt, point_metrics, roc_auc, sensitivity_first_threshold
from .model import Architecture, PneumoniaCNN, TriageModel, predict
from .preprocess import input_spec, normalize


@dataclass(frozen=True)
class TrainConfig:
    data: str = ""  # .npz path; empty = default_data_path()
    extra_data: tuple[str, ...] = ()  # further exports in the same format (train/val appended)
    seed: int = 20240117
    members: int = 3  # ensemble size, each member seeded seed + index
    max_epochs: int = 30  # also the length of the cosine learning-rate schedule
    min_epochs: int = 10
    patience: int = 8  # epochs without a better validation AUC before stopping
    batch_size: int = 64
    lr: float = 3e-3
    weight_decay: float = 5e-4
    label_smoothing: float = 0.05
    arch: Architecture = field(default_factory=Architecture)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    target_sensitivity: float = 0.98  # on validation; the test target is 0.95
    threads: int = 2
    train_limit: int = 0  # > 0: train on the first N rows only (unit tests)
    val_limit: int = 0

    def as_dict(self) -> dict:
        out = asdict(self)
        out["extra_data"] = list(self.extra_data)
        return out

    @staticmethod
    def from_dict(values: dict) -> "TrainConfig":
        values = dict(values)
        values["arch"] = Architecture(**{**values.get("arch", {}), "widths": tuple(values.get("arch", {}).get("widths", Architecture().widths))})
        values["augment"] = AugmentConfig(**values.get("augment", {}))
        values["extra_data"] = tuple(values.get("extra_data", ()))
        return TrainConfig(**values)


@dataclass
class MemberHistory:
    seed: int
    best_epoch: int
    epochs_run: int
    best_val_auc: float
    curve: list[dict]


@dataclass
class TrainResult:
    config: TrainConfig
    model: TriageModel
    spec: dict
    threshold: float
    platt: tuple[float, float]
    val_metrics: dict
    members: list[MemberHistory]
    data_sources: list[dict]
    data_sha256: str
    seconds: float
    member_states: list[dict]

    def checkpoint(self) -> dict:
        """Everything needed to rebuild, re-export and re-evaluate the model without retraining."""
        return {
            "format": "triage-research/1",
            "config": self.config.as_dict(),
            "spec": self.spec,
            "threshold": self.threshold,
            "platt": list(self.platt),
            "val_metrics": self.val_metrics,
            "members": [asdict(m) for m in self.members],
            "data_sources": self.data_sources,
            "data_sha256": self.data_sha256,
            "training_seconds": self.seconds,
            "member_states": self.member_states,
        }


def configure_torch(threads: int, seed: int) -> None:
    """Deterministic CPU training: fixed thread count and seeds, deterministic kernels only."""
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed % (2**32))


def _soft_targets(labels: torch.Tensor, smoothing: float) -> torch.Tensor:
    return labels * (1.0 - smoothing) + 0.5 * smoothing


def train_member(
    data: TrainingData,
    cfg: TrainConfig,
    member_seed: int,
    spec: dict,
    log: Callable[[str], None] = print,
) -> tuple[PneumoniaCNN, MemberHistory]:
    configure_torch(cfg.threads, member_seed)
    mean, std = spec["normalize"]["mean"], spec["normalize"]["std"]
    gen = torch.Generator().manual_seed(member_seed)
    order_rng = np.random.default_rng(member_seed)

    train_pixels = torch.from_numpy(data.train.images.astype(np.float32) / 255.0).unsqueeze(1)
    train_labels = torch.from_numpy(data.train.labels.astype(np.float32))
    val_inputs = torch.from_numpy(normalize(data.val.images, mean, std))
    val_labels = data.val.labels

    n_pos = float(train_labels.sum())
    n_neg = float(train_labels.numel() - n_pos)
    # Class weights so both classes contribute equally to the loss (74 % of train is pneumonia).
    weight_pos, weight_neg = (n_pos + n_neg) / (2 * n_pos), (n_pos + n_neg) / (2 * n_neg)

    model = PneumoniaCNN(cfg.arch)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = math.ceil(len(data.train) / cfg.batch_size)
    total_steps = steps_per_epoch * cfg.max_epochs
    warmup = steps_per_epoch

    def lr_at(step: int) -> float:
        if step < warmup:
            return cfg.lr * (step + 1) / warmup
        progress = (step - warmup) / max(1, total_steps - warmup)
        return cfg.lr * 0.5 * (1.0 + math.cos(math.pi * progress))

    best_auc, best_epoch, best_state = -1.0, 0, copy.deepcopy(model.state_dict())
    curve: list[dict] = []
    step = 0
    epochs_run = 0
    for epoch in range(1, cfg.max_epochs + 1):
        model.train()
        order = torch.from_numpy(order_rng.permutation(len(data.train)))
        total_loss = 0.0
        for start in range(0, len(order), cfg.batch_size):
            idx = order[start : start + cfg.batch_size]
            pixels = augment_batch(train_pixels[idx], cfg.augment, gen)
            inputs = (pixels - mean) / std
            labels = train_labels[idx]
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step)
            logits = model(inputs)
            weights = torch.where(labels > 0.5, weight_pos, weight_neg)
            loss = F.binary_cross_entropy_with_logits(
                logits, _soft_targets(labels, cfg.label_smoothing), weight=weights
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total_loss += float(loss) * len(idx)
            step += 1
        epochs_run = epoch
        val_logits, _ = predict(model, val_inputs)
        val_auc = roc_auc(val_labels, val_logits)
        val_loss = float(
            F.binary_cross_entropy_with_logits(torch.from_numpy(val_logits), torch.from_numpy(val_labels.astype(np.float32)))
        )
        curve.append({"epoch": epoch, "train_loss": total_loss / len(order), "val_auc": val_auc, "val_loss": val_loss})
        improved = val_auc > best_auc
        if improved:
            best_auc, best_epoch, best_state = val_auc, epoch, copy.deepcopy(model.state_dict())
        log(
            f"  member seed {member_seed} epoch {epoch:3d}  train loss {total_loss / len(order):.4f}  "
            f"val AUC {val_auc:.4f}  val loss {val_loss:.4f}{'  *' if improved else ''}"
        )
        if epoch >= cfg.min_epochs and epoch - best_epoch >= cfg.patience:
            break
    model.load_state_dict(best_state)
    model.eval()
    return model, MemberHistory(member_seed, best_epoch, epochs_run, best_auc, curve)


def train(cfg: TrainConfig = TrainConfig(), log: Callable[[str], None] = print) -> TrainResult:
    """Trains the ensemble, then calibrates and sets the triage threshold on validation."""
    started = time.perf_counter()
    data_path = ensure_dataset(Path(cfg.data) if cfg.data else default_data_path())
    data = load_training_data(data_path, cfg.extra_data)
    if cfg.train_limit:
        data.train = data.train.subset(np.arange(min(cfg.train_limit, len(data.train))))
    if cfg.val_limit:
        data.val = data.val.subset(np.arange(min(cfg.val_limit, len(data.val))))
    train_values = data.train.images.astype(np.float64) / 255.0
    spec = input_spec(round(float(train_values.mean()), 4), round(float(train_values.std()), 4))
    log(
        f"training on {len(data.train)} train / {len(data.val)} val images "
        f"(pneumonia share {data.train.positive_share:.3f}), {cfg.members} member(s), {cfg.threads} threads"
    )

    members, histories = [], []
    for index in range(cfg.members):
        member, history = train_member(data, cfg, cfg.seed + index, spec, log)
        members.append(member)
        histories.append(history)
        log(f"member {index + 1}/{cfg.members}: best val AUC {history.best_val_auc:.4f} at epoch {history.best_epoch}")

    model = TriageModel(members)
    model.eval()
    val_inputs = normalize(data.val.images, spec["normalize"]["mean"], spec["normalize"]["std"])
    raw_logits, _ = predict(model, val_inputs)
    platt = fit_platt(raw_logits, data.val.labels)
    model.platt.copy_(torch.tensor(platt, dtype=torch.float32))
    val_logits, val_risks = predict(model, val_inputs)
    threshold = sensitivity_first_threshold(data.val.labels, val_risks, cfg.target_sensitivity)
    val_metrics = point_metrics(data.val.labels, val_logits, val_risks, threshold)
    log(
        f"validation: AUC {val_metrics['auc']:.4f}  threshold {threshold:.4f}  "
        f"sensitivity {val_metrics['sensitivity']:.4f}  specificity {val_metrics['specificity']:.4f}"
    )
    seconds = time.perf_counter() - started
    return TrainResult(
        config=cfg,
        model=model,
        spec=spec,
        threshold=threshold,
        platt=platt,
        val_metrics=val_metrics,
        members=histories,
        data_sources=data.sources,
        data_sha256=data.content_sha256(),
        seconds=seconds,
        member_states=[copy.deepcopy(m.state_dict()) for m in members],
    )

