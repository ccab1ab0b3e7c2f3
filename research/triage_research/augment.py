"""Augmentation that suits chest films, applied per batch on the CPU with a seeded generator.

Small rotations, shifts and zooms (patient positioning), brightness / contrast / gamma changes
(exposure and detector differences), a little noise and optional occlusion. No vertical flips, and no
horizontal flips by default: the heart is on the left, a mirrored film is not a plausible film.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class AugmentConfig:
    rotate_degrees: float = 10.0
    shift: float = 0.08  # fraction of the image side
    zoom: float = 0.10  # scale in [1 - zoom, 1 + zoom]
    brightness: float = 0.10  # added to [0, 1] pixel values
    contrast: float = 0.20  # multiplies the deviation from the image mean by [1 - c, 1 + c]
    gamma: float = 0.25  # exponent in [1 / (1 + g), 1 + g]
    noise_std: float = 0.02
    hflip: bool = False
    erase_prob: float = 0.0  # random 8x8 erase (occlusion by tubes, text, markers)

    def as_dict(self) -> dict:
        return asdict(self)


def _uniform(n: int, low: float, high: float, gen: torch.Generator) -> torch.Tensor:
    return low + (high - low) * torch.rand(n, generator=gen)


def augment_batch(pixels: torch.Tensor, cfg: AugmentConfig, gen: torch.Generator) -> torch.Tensor:
    """(N, 1, 28, 28) float in [0, 1] -> augmented, still in [0, 1]."""
    n = pixels.shape[0]
    angle = _uniform(n, -cfg.rotate_degrees, cfg.rotate_degrees, gen) * (math.pi / 180.0)
    scale = _uniform(n, 1.0 - cfg.zoom, 1.0 + cfg.zoom, gen)
    tx = _uniform(n, -cfg.shift, cfg.shift, gen) * 2.0
    ty = _uniform(n, -cfg.shift, cfg.shift, gen) * 2.0
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    if cfg.hflip:
        flip = torch.rand(n, generator=gen) < 0.5
        theta[flip, 0, 0] *= -1
        theta[flip, 1, 0] *= -1
    grid = F.affine_grid(theta, list(pixels.shape), align_corners=False)
    x = F.grid_sample(pixels, grid, mode="bilinear", padding_mode="border", align_corners=False)

    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    contrast = _uniform(n, 1.0 - cfg.contrast, 1.0 + cfg.contrast, gen).view(n, 1, 1, 1)
    brightness = _uniform(n, -cfg.brightness, cfg.brightness, gen).view(n, 1, 1, 1)
    x = ((x - mean) * contrast + mean + brightness).clamp(0.0, 1.0)
    log_gamma = _uniform(n, -math.log1p(cfg.gamma), math.log1p(cfg.gamma), gen).view(n, 1, 1, 1)
    x = x.clamp_min(1e-6) ** torch.exp(log_gamma)
    if cfg.noise_std > 0:
        x = x + cfg.noise_std * torch.rand(n, 1, 1, 1, generator=gen) * torch.randn(x.shape, generator=gen)
    if cfg.erase_prob > 0:
        erase = torch.rand(n, generator=gen) < cfg.erase_prob
        rows = torch.randint(0, 28 - 8, (n,), generator=gen)
        cols = torch.randint(0, 28 - 8, (n,), generator=gen)
        for i in torch.nonzero(erase).flatten().tolist():
            r, c = int(rows[i]), int(cols[i])
            x[i, :, r : r + 8, c : c + 8] = x[i].mean()
    return x.clamp(0.0, 1.0)
