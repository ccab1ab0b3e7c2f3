import hashlib
import http.server
import io
import threading
from pathlib import Path

import numpy as np
import pytest

from triage_research import data as data_module
from triage_research.data import (
    DownloadError,
    default_data_path,
    ensure_dataset,
    load_split,
    load_training_data,
    repo_root,
)


def tiny_npz(seed: int = 0, n: int = 6) -> bytes:
    rng = np.random.default_rng(seed)
    arrays = {}
    for split in ("train", "val", "test"):
        arrays[f"{split}_images"] = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        arrays[f"{split}_labels"] = (np.arange(n) % 2).astype(np.uint8).reshape(n, 1)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


@pytest.fixture()
def server():
    """A real HTTP server on loopback serving one .npz and counting requests."""
    payload = tiny_npz(n=100)  # ~230 kB: several reads, so the progress moves
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            if self.path != "/files/pneumoniamnist.npz":
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield {
        "url": f"http://127.0.0.1:{httpd.server_address[1]}/files/pneumoniamnist.npz",
        "md5": hashlib.md5(payload).hexdigest(),
        "payload": payload,
        "hits": hits,
    }
    httpd.shutdown()


def test_default_path_is_outside_the_repo_and_configurable(monkeypatch, tmp_path):
    monkeypatch.delenv(data_module.DATA_ENV, raising=False)
    assert default_data_path() == (repo_root() / ".." / "shared" / "data" / "pneumoniamnist.npz").resolve()
    assert repo_root() not in default_data_path().parents
    monkeypatch.setenv(data_module.DATA_ENV, str(tmp_path / "other.npz"))
    assert default_data_path() == tmp_path / "other.npz"


def test_downloads_once_with_md5_check_and_progress(server, tmp_path):
    target = tmp_path / "cache" / "pneumoniamnist.npz"
    seen = []
    path = ensure_dataset(target, url=server["url"], md5=server["md5"], progress=lambda d, t: seen.append((d, t)))
    assert path == target
    assert target.read_bytes() == server["payload"]
    assert seen[-1] == (len(server["payload"]), len(server["payload"]))
    assert len(seen) > 1
    assert load_split(target, "test").images.shape == (100, 28, 28)

    ensure_dataset(target, url=server["url"], md5=server["md5"], progress=None)
    assert len(server["hits"]) == 1, "an existing file must not be downloaded again"


def test_default_progress_display_writes_percentages(server, tmp_path, capsys):
    ensure_dataset(tmp_path / "p.npz", url=server["url"], md5=server["md5"])
    err = capsys.readouterr().err
    assert "100.0%" in err and "p.npz" in err


def test_md5_mismatch_keeps_nothing(server, tmp_path):
    target = tmp_path / "pneumoniamnist.npz"
    with pytest.raises(DownloadError, match="MD5 mismatch"):
        ensure_dataset(target, url=server["url"], md5="0" * 32, progress=None)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [], "no partial file may be left behind"


def test_http_error_keeps_nothing(server, tmp_path):
    target = tmp_path / "pneumoniamnist.npz"
    with pytest.raises(Exception):
        ensure_dataset(target, url=server["url"].replace("pneumoniamnist", "missing"), progress=None)
    assert list(tmp_path.iterdir()) == []


def test_file_url(tmp_path):
    source = tmp_path / "source.npz"
    source.write_bytes(tiny_npz(1))
    target = tmp_path / "dest" / "pneumoniamnist.npz"
    ensure_dataset(target, url=source.as_uri(), md5=hashlib.md5(source.read_bytes()).hexdigest(), progress=None)
    assert target.read_bytes() == source.read_bytes()


def test_official_constants():
    assert data_module.OFFICIAL_URL == "https://zenodo.org/records/10519652/files/pneumoniamnist.npz"
    assert data_module.OFFICIAL_MD5 == "28209eda62fecd6e6a2d98b1501bb15f"


def test_rejects_malformed_files(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, train_images=np.zeros((2, 32, 32), np.uint8), train_labels=np.zeros((2, 1), np.uint8))
    with pytest.raises(ValueError, match="28, 28"):
        load_split(bad, "train")
    with pytest.raises(ValueError, match="val_images"):
        load_split(bad, "val")
    labels = tmp_path / "labels.npz"
    np.savez(labels, test_images=np.zeros((2, 28, 28), np.uint8), test_labels=np.array([[0], [2]], np.uint8))
    with pytest.raises(ValueError, match="0 \\(normal\\) or 1"):
        load_split(labels, "test")


def test_extra_exports_are_appended_to_train_and_val(tmp_path):
    main, extra = tmp_path / "main.npz", tmp_path / "center.npz"
    main.write_bytes(tiny_npz(2))
    extra.write_bytes(tiny_npz(3))
    alone = load_training_data(main)
    pooled = load_training_data(main, [extra])
    assert len(pooled.train) == 12 and len(pooled.val) == 12
    assert [s["file"] for s in pooled.sources] == ["main.npz", "center.npz"]
    assert pooled.content_sha256() != alone.content_sha256()
    assert load_training_data(main).content_sha256() == alone.content_sha256()


def test_real_data_has_the_official_splits(data_path):
    sizes = {name: len(load_split(data_path, name)) for name in ("train", "val", "test")}
    assert sizes == {"train": 4708, "val": 524, "test": 624}
    test = load_split(data_path, "test")
    assert int(test.labels.sum()) == 390 and int((test.labels == 0).sum()) == 234
