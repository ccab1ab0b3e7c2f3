import glob
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from triage_research.data import load_split
from triage_research.preprocess import (
    center_square,
    input_spec,
    load_grayscale,
    normalize,
    preprocess_file,
    reference_pixels,
    resize_triangle,
    triangle_weights,
)

SAMPLES = sorted(glob.glob(str(Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "xray-samples" / "*" / "*.jpeg")))


def png_bytes(image: Image.Image, **save) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **save)
    return buffer.getvalue()


def test_weights_are_normalised_and_local():
    starts, weights = triangle_weights(1000, 28)
    assert np.allclose(weights.sum(axis=1), 1.0)
    assert starts[0] == 0 and starts[-1] + np.count_nonzero(weights[-1]) <= 1000
    # each output pixel looks at about two input pixels per output step either side
    assert np.count_nonzero(weights[14]) in range(70, 74)


def test_resize_keeps_constants_and_matches_pil_bilinear_reduction():
    assert np.all(resize_triangle(np.full((300, 300), 77, np.uint8)) == 77)
    rng = np.random.default_rng(0)
    image = (rng.random((311, 311)) * 40 + np.linspace(0, 200, 311)[None, :]).astype(np.uint8)
    ours = resize_triangle(image).astype(int)
    pil = np.asarray(Image.fromarray(image).resize((28, 28), Image.BILINEAR)).astype(int)
    # PIL rounds to uint8 between its two passes; the reference rounds once, so at most 1 apart.
    assert np.abs(ours - pil).max() <= 1


def test_center_square_crops_the_middle_of_the_long_edge():
    pixels = np.arange(6 * 10).reshape(6, 10)
    square = center_square(pixels)
    assert square.shape == (6, 6) and square[0, 0] == 2
    assert center_square(pixels.T).shape == (6, 6) and center_square(pixels.T)[0, 0] == pixels.T[2, 0]


def test_colour_images_use_pil_luma_and_alpha_is_ignored():
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, size=(40, 60, 3), dtype=np.uint8)
    image = Image.fromarray(rgb, "RGB")
    assert np.array_equal(load_grayscale(png_bytes(image)), np.asarray(image.convert("L")))
    rgba = Image.fromarray(np.dstack([rgb, np.full((40, 60), 9, np.uint8)]), "RGBA")
    assert np.array_equal(load_grayscale(png_bytes(rgba)), np.asarray(image.convert("L")))


def test_exif_orientation_is_applied():
    pixels = np.zeros((20, 40), np.uint8)
    pixels[:, :5] = 255  # bright band on the left
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), quality=100)
    upright = load_grayscale(buffer.getvalue())
    assert upright.shape == (40, 20)
    assert upright[:5].mean() > 200, "the left band ends up on top after the rotation"


def test_normalize_shape_dtype_and_values():
    x = normalize(np.array([[[0, 255]]], np.uint8), 0.5, 0.25)
    assert x.dtype == np.float32 and x.shape == (1, 1, 1, 2)
    assert x.ravel().tolist() == [-2.0, 2.0]


@pytest.mark.skipif(len(SAMPLES) != 24, reason="the 24 full-resolution samples are not there")
def test_full_resolution_samples_resemble_their_medmnist_images(data_path):
    """The reference preprocessing reproduces the test-split image of each sample closely."""
    test = load_split(data_path, "test").images.astype(np.float64)
    errors = []
    for file in SAMPLES:
        ours = reference_pixels(file).astype(np.float64)
        # top two thirds: the bottom-left corner carries the burned-in text
        distance = np.abs(test[:, :18] - ours[None, :18]).mean(axis=(1, 2))
        errors.append(distance.min())
    assert np.median(errors) < 5.0, errors


@pytest.mark.skipif(len(SAMPLES) != 24, reason="the 24 full-resolution samples are not there")
def test_preprocess_file_applies_the_spec():
    spec = input_spec(0.5, 0.25)
    tensor = preprocess_file(SAMPLES[0], spec)
    assert tensor.shape == (1, 28, 28) and tensor.dtype == np.float32
    expected = (reference_pixels(SAMPLES[0]).astype(np.float64) / 255 - 0.5) / 0.25
    assert np.array_equal(tensor[0], expected.astype(np.float32))
    assert np.array_equal(preprocess_file(Path(SAMPLES[0]).read_bytes(), spec), tensor)
    with pytest.raises(ValueError):
        preprocess_file(SAMPLES[0], {**spec, "resize": "lanczos3"})
