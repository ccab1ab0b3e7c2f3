/** A rectangle of pixels: columns left..left+width-1, rows top..top+height-1. */
export interface PixelBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

type Pixels = Uint8Array | Uint16Array | Int16Array;

/** How far around a box the local background is sampled. */
const RING = 4;

/**
 * Paints each box with the median of the pixels around it (a ring RING pixels wide) that lie in no
 * box: the local background, in the image's own units (8-bit gray, or 16-bit stored DICOM values).
 * Pixels outside the boxes are never written. When a ring has nothing outside the boxes (boxes
 * that tile a whole region), wider rings are tried, then the median of the whole image outside boxes.
 */
export function fillBoxesWithLocalMedian(pixels: Pixels, width: number, height: number, boxes: readonly PixelBox[]): void {
  const inBox = new Uint8Array(width * height);
  const clipped = boxes.map((box) => clip(box, width, height)).filter((box): box is PixelBox => box !== null);
  for (const box of clipped) {
    for (let y = box.top; y < box.top + box.height; y++) inBox.fill(1, y * width + box.left, y * width + box.left + box.width);
  }
  // Medians first, from the untouched image, so the order of the boxes does not matter.
  const fills = clipped.map((box) => localBackground(pixels, inBox, width, height, box));
  clipped.forEach((box, i) => {
    for (let y = box.top; y < box.top + box.height; y++) pixels.fill(fills[i]!, y * width + box.left, y * width + box.left + box.width);
  });
}

function localBackground(pixels: Pixels, inBox: Uint8Array, width: number, height: number, box: PixelBox): number {
  for (const ring of [RING, RING * 4, RING * 16]) {
    const values: number[] = [];
    const x0 = Math.max(0, box.left - ring);
    const x1 = Math.min(width - 1, box.left + box.width - 1 + ring);
    const y0 = Math.max(0, box.top - ring);
    const y1 = Math.min(height - 1, box.top + box.height - 1 + ring);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * width + x;
        if (!inBox[i]) values.push(pixels[i]!);
      }
    }
    if (values.length) return median(values);
  }
  const outside: number[] = [];
  for (let i = 0; i < pixels.length; i += 7) if (!inBox[i]) outside.push(pixels[i]!);
  return outside.length ? median(outside) : 0;
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[values.length >> 1]!;
}

/** The part of a box inside the image, or null. */
export function clip(box: PixelBox, width: number, height: number): PixelBox | null {
  const left = Math.max(0, Math.floor(box.left));
  const top = Math.max(0, Math.floor(box.top));
  const right = Math.min(width, Math.ceil(box.left + box.width));
  const bottom = Math.min(height, Math.ceil(box.top + box.height));
  return right > left && bottom > top ? { left, top, width: right - left, height: bottom - top } : null;
}

/** The box grown by `padding` on every side, clipped to the image. */
export function pad(box: PixelBox, padding: number, width: number, height: number): PixelBox {
  return clip({ left: box.left - padding, top: box.top - padding, width: box.width + 2 * padding, height: box.height + 2 * padding }, width, height)!;
}
