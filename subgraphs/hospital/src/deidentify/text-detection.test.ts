import { describe, expect, it } from 'vitest';
import { fillBoxesWithLocalMedian } from './pixel-fill.js';
import { detectTextLines, type GrayImage } from './text-detection.js';

const W = 200;
const H = 120;

/** A soft gradient, like soft tissue. */
function background(): GrayImage {
  const gray = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) gray[y * W + x] = 40 + Math.round((x / W) * 80 + (y / H) * 40);
  return { gray, width: W, height: H };
}

const rect = (img: GrayImage, left: number, top: number, w: number, h: number, value: number) => {
  for (let y = top; y < top + h; y++) for (let x = left; x < left + w; x++) img.gray[y * W + x] = value;
};

/** Five 7x12 "glyphs" (two bars and a crossbar each, 2-pixel strokes) starting at (left, top). */
function drawWord(img: GrayImage, left: number, top: number, value = 255) {
  for (let g = 0; g < 5; g++) {
    const x = left + g * 10;
    rect(img, x, top, 2, 12, value);
    rect(img, x + 5, top, 2, 12, value);
    rect(img, x, top + 5, 7, 2, value);
  }
}

describe('detectTextLines', () => {
  it('finds a bright word anywhere, not the soft background', () => {
    const img = background();
    expect(detectTextLines(img)).toEqual([]);
    drawWord(img, 120, 80);
    expect(detectTextLines(img, { polarity: 'bright' })).toEqual([{ left: 120, top: 80, width: 47, height: 12 }]);
    // The dark gaps between bright strokes may read as dark text too: always inside the word.
    for (const line of detectTextLines(img)) {
      expect(line.left).toBeGreaterThanOrEqual(120);
      expect(line.left + line.width).toBeLessThanOrEqual(167);
    }
  });

  it('finds dark text too', () => {
    const img = background();
    rect(img, 20, 20, 70, 30, 230);
    drawWord(img, 30, 30, 0);
    expect(detectTextLines(img).some((l) => l.left <= 30 && l.left + l.width >= 77 && l.top <= 30 && l.top + l.height >= 42)).toBe(true);
  });

  it('ignores a long thin wire and a broad bright structure (a bone)', () => {
    const img = background();
    for (let x = 10; x < 190; x++) rect(img, x, 60 + Math.round(10 * Math.sin(x / 15)), 1, 2, 255); // wire
    rect(img, 60, 5, 80, 25, 250); // bone
    expect(detectTextLines(img, { polarity: 'bright' })).toEqual([]);
  });
});

describe('fillBoxesWithLocalMedian', () => {
  it('paints boxes with the median around them and leaves every other pixel alone', () => {
    const img = background();
    drawWord(img, 120, 80);
    const before = img.gray.slice();
    const box = { left: 116, top: 76, width: 55, height: 20 };
    fillBoxesWithLocalMedian(img.gray, W, H, [box]);
    const inside = (x: number, y: number) => x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height;
    const fills = new Set<number>();
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (inside(x, y)) fills.add(img.gray[y * W + x]!);
        else expect(img.gray[y * W + x]).toBe(before[y * W + x]);
      }
    }
    expect([...fills]).toHaveLength(1);
    const [fill] = [...fills];
    expect(fill).toBeGreaterThan(100); // the local background there (~150), not the 255 text
    expect(fill).toBeLessThan(200);
  });
});
