"""PneumoniaMNIST loading: the official .npz (or the research center's export in the same format).

The data file lives OUTSIDE the repository (default ../shared/data/pneumoniamnist.npz relative to
the repo root); if it is absent it is downloaded once from the official Zenodo record and checked
against the official MD5 before it is kept.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

OFFICIAL_URL = "https://zenodo.org/records/10519652/files/pneumoniamnist.npz"
OFFICIAL_MD5 = "28209eda62fecd6e6a2d98b1501bb15f"
OFFICIAL_SIZES = {"train": 4708, "val": 524, "test": 624}
SPLITS = ("train", "val", "test")
DATA_ENV = "TRIAGE_DATA_NPZ"


def repo_root() -> Path:
    """The monorepo root (research/ is one level below it)."""
    return Path(__file__).resolve().parents[2]


def default_data_path() -> Path:
    """$TRIAGE_DATA_NPZ, else ../shared/data/pneumoniamnist.npz relative to the repo root."""
    configured = os.environ.get(DATA_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return (repo_root() / ".." / "shared" / "data" / "pneumoniamnist.npz").resolve()


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class DownloadError(RuntimeError):
    pass


def _progress_printer(name: str) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        stream = sys.stderr
        if total > 0:
            stream.write(f"\r{name}: {100 * done / total:5.1f}% ({done / 1e6:.1f}/{total / 1e6:.1f} MB)")
        else:
            stream.write(f"\r{name}: {done / 1e6:.1f} MB")
        stream.flush()

    return show


def ensure_dataset(
    path: Path | str | None = None,
    url: str = OFFICIAL_URL,
    md5: str | None = OFFICIAL_MD5,
    progress: Callable[[int, int], None] | None | bool = True,
    timeout: float = 60.0,
) -> Path:
    """Returns the path of the .npz, downloading it first if it does not exist yet.

    An existing file is used as is (the shared development copy is a re-ordered rebuild whose
    MD5 differs from the official one; its SHA-256 goes into every report instead). A download is
    written to a temporary file in the target folder, MD5-checked, then renamed into place, so an
    interrupted or corrupted download never leaves a file that would be mistaken for the data.
    """
    target = Path(path) if path is not None else default_data_path()
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    report = _progress_printer(target.name) if progress is True else (progress or None)
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    digest = hashlib.md5()
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if report:
                    report(done, total)
        if report is not None and progress is True:
            sys.stderr.write("\n")
        if md5 is not None and digest.hexdigest() != md5.lower():
            raise DownloadError(f"MD5 mismatch for {url}: got {digest.hexdigest()}, expected {md5}")
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return target


@dataclass
class Split:
    name: str
    images: np.ndarray  # (N, 28, 28) uint8
    labels: np.ndarray  # (N,) int64, 1 = pneumonia

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def positive_share(self) -> float:
        return float(self.labels.mean()) if len(self) else float("nan")

    def subset(self, indices: Sequence[int] | np.ndarray) -> "Split":
        idx = np.asarray(indices)
        return Split(self.name, self.images[idx], self.labels[idx])


def _read_split(npz: np.lib.npyio.NpzFile, name: str, source: Path) -> Split:
    try:
        images = npz[f"{name}_images"]
        labels = npz[f"{name}_labels"]
    except KeyError as missing:
        raise ValueError(f"{source}: no {missing} array (expected the MedMNIST .npz layout)") from None
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise ValueError(f"{source}: {name}_images must be (N, 28, 28) uint8, got {images.shape} {images.dtype}")
    labels = labels.reshape(-1).astype(np.int64)
    if labels.shape[0] != images.shape[0]:
        raise ValueError(f"{source}: {name} has {images.shape[0]} images but {labels.shape[0]} labels")
    if not np.all((labels == 0) | (labels == 1)):
        raise ValueError(f"{source}: {name}_labels must be 0 (normal) or 1 (pneumonia)")
    return Split(name, np.ascontiguousarray(images), labels)


def load_split(path: Path | str, name: str) -> Split:
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}")
    path = Path(path)
    with np.load(path, allow_pickle=False) as npz:
        return _read_split(npz, name, path)


@dataclass
class TrainingData:
    """Train and validation splits, possibly pooled from several exports. The test split is not
    here on purpose: it is loaded once, by the evaluation, for the report."""

    train: Split
    val: Split
    sources: list[dict]

    def content_sha256(self) -> str:
        """Hash of the pixels and labels actually trained on, independent of the .npz container."""
        h = hashlib.sha256()
        for split in (self.train, self.val):
            h.update(split.name.encode())
            h.update(np.ascontiguousarray(split.images).tobytes())
            h.update(split.labels.astype(np.uint8).tobytes())
        return h.hexdigest()


def load_training_data(path: Path | str, extra: Iterable[Path | str] = ()) -> TrainingData:
    """Train + val from the main .npz, with the train/val splits of extra exports appended."""
    parts = [Path(path), *map(Path, extra)]
    trains, vals, sources = [], [], []
    for part in parts:
        trains.append(load_split(part, "train"))
        vals.append(load_split(part, "val"))
        sources.append(
            {
                "file": part.name,
                "sha256": file_digest(part),
                "train": len(trains[-1]),
                "val": len(vals[-1]),
            }
        )
    train = Split("train", np.concatenate([s.images for s in trains]), np.concatenate([s.labels for s in trains]))
    val = Split("val", np.concatenate([s.images for s in vals]), np.concatenate([s.labels for s in vals]))
    return TrainingData(train=train, val=val, sources=sources)
