"""The network: a small VGG-style CNN for 28x28 chest films, trained from scratch.

Several members trained with different seeds are averaged (a deep ensemble) and the averaged
logit is Platt-calibrated on validation. The exported graph takes the normalised image and
returns both the calibrated logit and the risk P(pneumonia) = sigmoid(logit).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Architecture:
    widths: tuple[int, int, int] = (32, 64, 128)
    dropout: float = 0.3

    def as_dict(self) -> dict:
        return asdict(self)


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class PneumoniaCNN(nn.Module):
    """28x28 -> 14x14 -> 7x7 -> 3x3 feature maps, global average pool, one logit."""

    def __init__(self, arch: Architecture = Architecture()):
        super().__init__()
        w1, w2, w3 = arch.widths
        self.features = nn.Sequential(
            _block(1, w1),
            nn.MaxPool2d(2),
            _block(w1, w2),
            nn.MaxPool2d(2),
            _block(w2, w3),
            nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(arch.dropout), nn.Linear(w3 * 9, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x)).squeeze(1)


class TriageModel(nn.Module):
    """Ensemble mean of member logits, then Platt scaling: logit = a * mean + b."""

    def __init__(self, members: list[nn.Module], platt_a: float = 1.0, platt_b: float = 0.0):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.register_buffer("platt", torch.tensor([platt_a, platt_b], dtype=torch.float32))

    def raw_logit(self, image: torch.Tensor) -> torch.Tensor:
        return torch.stack([m(image) for m in self.members], dim=0).mean(dim=0)

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logit = self.raw_logit(image) * self.platt[0] + self.platt[1]
        return logit, torch.sigmoid(logit)


def build_triage_model(arch: Architecture, member_states: list[dict], platt: tuple[float, float]) -> TriageModel:
    members = []
    for state in member_states:
        member = PneumoniaCNN(arch)
        member.load_state_dict(state)
        members.append(member)
    model = TriageModel(members, *platt)
    model.eval()
    return model


@torch.no_grad()
def predict(model: nn.Module, inputs: torch.Tensor | "np.ndarray", batch_size: int = 256):
    """Returns (logits, risks) as float32 numpy arrays for a (N, 1, 28, 28) normalised input."""
    import numpy as np

    model.eval()
    x = torch.as_tensor(inputs, dtype=torch.float32)
    logits, risks = [], []
    for start in range(0, x.shape[0], batch_size):
        out = model(x[start : start + batch_size])
        if isinstance(out, tuple):
            logit, risk = out
        else:
            logit, risk = out, torch.sigmoid(out)
        logits.append(logit.numpy())
        risks.append(risk.numpy())
    return np.concatenate(logits).astype(np.float32), np.concatenate(risks).astype(np.float32)
