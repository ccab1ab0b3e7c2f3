import { fillBoxesWithLocalMedian, pad, type PixelBox } from './pixel-fill.js';

/**
 * A cheap detector of burned-in text lines, independent of OCR: text is drawn with thin strokes of
 * high contrast against what is behind it, in glyphs of similar height standing side by side.
 *   1. candidate stroke pixels: a white top-hat (the image minus its morphological opening with a
 *      square a little wider than a stroke) above `minContrast`, on pixels brighter than `minValue`;
 *      the opening removes thin bright things (strokes) and keeps broad ones (bones, soft tissue);
 *   2. glyphs: 8-connected components of those pixels of glyph size (wires and bone edges are longer);
 *   3. lines: glyphs that overlap vertically and are at most ~1.2 glyph heights apart, three or more
 *      of them, wider than tall.
 * Dark text is found the same way on the inverted image. Found lines are painted over and the
 * search repeated, so text whose glyphs touched other text or a wire is found on the next pass.
 */
export interface TextDetectionOptions {
  /** Half-size of the opening's square, in pixels: strokes up to 2r pixels wide are found. */
  openingRadius: number;
  minContrast: number;
  minValue: number;
  maxGlyphHeight: number;
  /** Extra passes after painting over the lines found so far. */
  passes: number;
  polarity: 'bright' | 'both';
}

export const DEFAULT_TEXT_DETECTION: TextDetectionOptions = {
  openingRadius: 3,
  minContrast: 40,
  minValue: 120,
  maxGlyphHeight: 60,
  passes: 3,
  polarity: 'both',
};

export interface GrayImage {
  /** width x height bytes, row by row, 0 = black. */
  gray: Uint8Array;
  width: number;
  height: number;
}

/** Bright text lines (and dark ones with polarity "both"), unpadded. */
export function detectTextLines(image: GrayImage, options: Partial<TextDetectionOptions> = {}): PixelBox[] {
  const o = { ...DEFAULT_TEXT_DETECTION, ...options };
  const lines = detectPolarity(image, o);
  if (o.polarity === 'both') {
    const inverted = new Uint8Array(image.gray.length);
    for (let i = 0; i < inverted.length; i++) inverted[i] = 255 - image.gray[i]!;
    lines.push(...detectPolarity({ ...image, gray: inverted }, o));
  }
  return lines;
}

function detectPolarity(image: GrayImage, o: TextDetectionOptions): PixelBox[] {
  const { width, height } = image;
  let work = image.gray;
  const found: PixelBox[] = [];
  for (let pass = 0; pass <= o.passes; pass++) {
    const fresh = findLines(strokeMask(work, width, height, o), width, height, o).filter(
      (line) => !found.some((known) => contains(pad(known, 4, width, height), line)),
    );
    if (fresh.length === 0) break;
    found.push(...fresh);
    if (pass === o.passes) break;
    // Paint over what was found (on a copy) so the next pass sees what it was hiding.
    if (work === image.gray) work = image.gray.slice();
    fillBoxesWithLocalMedian(work, width, height, fresh.map((line) => pad(line, 4, width, height)));
  }
  return found;
}

/** Pixels of thin bright strokes: gray - opening(gray) >= minContrast and gray >= minValue. */
export function strokeMask(gray: Uint8Array, width: number, height: number, o: Pick<TextDetectionOptions, 'openingRadius' | 'minContrast' | 'minValue'>): Uint8Array {
  // Outside the image counts as black for the erosion, so text cut by the border is still "thin".
  const opened = rankFilter(rankFilter(gray, width, height, o.openingRadius, 'min', true), width, height, o.openingRadius, 'max', false);
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) {
    const v = gray[i]!;
    if (v >= o.minValue && v - opened[i]! >= o.minContrast) mask[i] = 1;
  }
  return mask;
}

/** Separable square min or max filter of half-size r (a van Herk style sliding window would be faster; this is fast enough). */
export function rankFilter(src: Uint8Array, width: number, height: number, r: number, kind: 'min' | 'max', zeroOutside: boolean): Uint8Array {
  const isMin = kind === 'min';
  const pass = (input: Uint8Array, output: Uint8Array, length: number, lines: number, stride: number, step: number) => {
    for (let line = 0; line < lines; line++) {
      const base = line * stride;
      for (let i = 0; i < length; i++) {
        let m = isMin ? 255 : 0;
        if (zeroOutside && (i - r < 0 || i + r > length - 1)) m = 0;
        const from = Math.max(0, i - r);
        const to = Math.min(length - 1, i + r);
        for (let k = from; k <= to; k++) {
          const v = input[base + k * step]!;
          if (isMin ? v < m : v > m) m = v;
        }
        output[base + i * step] = m;
      }
    }
  };
  const rows = new Uint8Array(width * height);
  const out = new Uint8Array(width * height);
  pass(src, rows, width, height, width, 1); // along each row
  pass(rows, out, height, width, 1, width); // along each column
  return out;
}

interface Glyph {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Bounding boxes and sizes of the 8-connected components of a mask. */
export function connectedComponents(mask: Uint8Array, width: number, height: number): (Glyph & { pixels: number })[] {
  const seen = new Uint8Array(mask.length);
  const stack = new Int32Array(mask.length);
  const components: (Glyph & { pixels: number })[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    const c = { left: width, top: height, right: -1, bottom: -1, pixels: 0 };
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % width;
      const y = (p - x) / width;
      c.pixels++;
      if (x < c.left) c.left = x;
      if (x > c.right) c.right = x;
      if (y < c.top) c.top = y;
      if (y > c.bottom) c.bottom = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (mask[q] && !seen[q]) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    components.push(c);
  }
  return components;
}

function findLines(mask: Uint8Array, width: number, height: number, o: TextDetectionOptions): PixelBox[] {
  const glyphs = connectedComponents(mask, width, height).filter((c) => {
    const w = c.right - c.left + 1;
    const h = c.bottom - c.top + 1;
    if (c.pixels < 4 || (w < 3 && h < 3)) return false; // specks
    if (h > o.maxGlyphHeight || w > o.maxGlyphHeight * 3) return false; // wires, bone edges, blobs
    // Wider than a glyph: touching glyphs are dense, a curved wire is not.
    return w <= o.maxGlyphHeight || c.pixels / (w * h) >= 0.15;
  });
  glyphs.sort((a, b) => a.left - b.left);

  const parent = glyphs.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < glyphs.length; i++) {
    const a = glyphs[i]!;
    const ha = a.bottom - a.top + 1;
    for (let j = i + 1; j < glyphs.length; j++) {
      const b = glyphs[j]!;
      const hb = b.bottom - b.top + 1;
      const scale = Math.max(ha, hb, 8);
      if (b.left - a.right > scale * 1.2) {
        // Sorted by left edge: no later glyph can be nearer to a unless it is much taller.
        if (b.left - a.right > o.maxGlyphHeight * 1.2) break;
        continue;
      }
      const overlap = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) + 1;
      const smaller = Math.min(ha, hb);
      // Same line: they overlap by half the smaller glyph, or a small mark (".", ":", "-") sits within the other's band.
      if (overlap >= Math.min(smaller, scale) * 0.5 || (overlap > 0 && smaller <= scale * 0.4)) parent[find(j)] = find(i);
    }
  }

  const groups = new Map<number, Glyph & { count: number }>();
  glyphs.forEach((g, i) => {
    const root = find(i);
    const group = groups.get(root);
    if (!group) groups.set(root, { ...g, count: 1 });
    else {
      group.left = Math.min(group.left, g.left);
      group.top = Math.min(group.top, g.top);
      group.right = Math.max(group.right, g.right);
      group.bottom = Math.max(group.bottom, g.bottom);
      group.count++;
    }
  });
  const lines: PixelBox[] = [];
  for (const g of groups.values()) {
    const w = g.right - g.left + 1;
    const h = g.bottom - g.top + 1;
    if (g.count >= 3 && h >= 6 && h <= o.maxGlyphHeight + 10 && w >= h * 1.5) lines.push({ left: g.left, top: g.top, width: w, height: h });
  }
  return lines;
}

function contains(outer: PixelBox, inner: PixelBox): boolean {
  return (
    inner.left >= outer.left &&
    inner.top >= outer.top &&
    inner.left + inner.width <= outer.left + outer.width &&
    inner.top + inner.height <= outer.top + outer.height
  );
}
