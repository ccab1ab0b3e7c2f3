/**
 * Arithmetic of the image viewer, kept apart from the canvas so it can be tested.
 * Pixel values are 8-bit greyscale (the stored PNG/JPEG); window/level follows the linear VOI
 * function of DICOM PS3.3 C.11.2.1.2 with an output range of 0..255.
 */

export interface WindowLevel {
  /** Window centre (level), 0..255. */
  center: number;
  /** Window width (contrast), 1..256. */
  width: number;
}

/** Shows the stored pixels unchanged. */
export const IDENTITY_WINDOW: WindowLevel = { center: 128, width: 256 };

export const WINDOW_LIMITS = { minCenter: 0, maxCenter: 255, minWidth: 1, maxWidth: 256 } as const;

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export function clampWindow(wl: WindowLevel): WindowLevel {
  return {
    center: Math.round(clamp(wl.center, WINDOW_LIMITS.minCenter, WINDOW_LIMITS.maxCenter)),
    width: Math.round(clamp(wl.width, WINDOW_LIMITS.minWidth, WINDOW_LIMITS.maxWidth)),
  };
}

/** The output grey (0..255) of every input grey (0..255) for a window; `invert` flips it. */
export function windowLevelLut(wl: WindowLevel, invert = false): Uint8ClampedArray {
  const { center, width } = clampWindow(wl);
  const lut = new Uint8ClampedArray(256);
  const lower = center - 0.5 - (width - 1) / 2;
  const upper = center - 0.5 + (width - 1) / 2;
  for (let x = 0; x < 256; x++) {
    let y: number;
    if (width <= 1) y = x < center ? 0 : 255;
    else if (x <= lower) y = 0;
    else if (x > upper) y = 255;
    else y = ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
    lut[x] = invert ? 255 - Math.round(y) : Math.round(y);
  }
  return lut;
}

/** Greyscale (Rec. 601 luma) of RGBA pixels; X-rays are grey but may be stored as RGB. */
export function toGrey(rgba: Uint8ClampedArray): Uint8Array {
  const grey = new Uint8Array(rgba.length / 4);
  for (let i = 0, p = 0; p < grey.length; i += 4, p++) {
    grey[p] = Math.round(0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!);
  }
  return grey;
}

/** Writes the windowed greys into an RGBA buffer (opaque). */
export function applyLut(grey: Uint8Array, lut: Uint8ClampedArray, out: Uint8ClampedArray): void {
  for (let p = 0, i = 0; p < grey.length; p++, i += 4) {
    const v = lut[grey[p]!]!;
    out[i] = v;
    out[i + 1] = v;
    out[i + 2] = v;
    out[i + 3] = 255;
  }
}

/**
 * Right-drag adjusts the window as in most PACS viewers: horizontal movement changes the width
 * (right = wider = less contrast), vertical movement the level (down = higher level = darker).
 */
export function dragWindow(start: WindowLevel, dx: number, dy: number, sensitivity = 1): WindowLevel {
  return clampWindow({ center: start.center + dy * sensitivity, width: start.width + dx * sensitivity });
}

/** Mean and spread of the pixels: a window that fits this image's contrast ("auto" button). */
export function autoWindow(grey: Uint8Array): WindowLevel {
  if (grey.length === 0) return IDENTITY_WINDOW;
  const histogram = new Uint32Array(256);
  for (const v of grey) histogram[v]! += 1;
  const percentile = (fraction: number): number => {
    const target = fraction * grey.length;
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += histogram[v]!;
      if (seen >= target) return v;
    }
    return 255;
  };
  const low = percentile(0.01);
  const high = percentile(0.99);
  return clampWindow({ center: (low + high + 1) / 2, width: Math.max(1, high - low + 1) });
}

/** Zoom and pan of the view. `zoom` is relative to "fit the image in the canvas"; pan in CSS pixels. */
export interface View {
  zoom: number;
  panX: number;
  panY: number;
}

export const FIT_VIEW: View = { zoom: 1, panX: 0, panY: 0 };
export const ZOOM_LIMITS = { min: 0.25, max: 16 } as const;

export function fitScale(imageWidth: number, imageHeight: number, canvasWidth: number, canvasHeight: number): number {
  if (imageWidth <= 0 || imageHeight <= 0 || canvasWidth <= 0 || canvasHeight <= 0) return 1;
  return Math.min(canvasWidth / imageWidth, canvasHeight / imageHeight);
}

/**
 * Zooms by `factor` keeping the image point under `anchor` where it is (the mouse position for
 * the wheel, the canvas centre for buttons and keys). `anchor` is relative to the canvas centre.
 */
export function zoomAt(view: View, factor: number, anchor: { x: number; y: number } = { x: 0, y: 0 }): View {
  const zoom = clamp(view.zoom * factor, ZOOM_LIMITS.min, ZOOM_LIMITS.max);
  const applied = zoom / view.zoom;
  return {
    zoom,
    panX: anchor.x - (anchor.x - view.panX) * applied,
    panY: anchor.y - (anchor.y - view.panY) * applied,
  };
}

export function panBy(view: View, dx: number, dy: number): View {
  return { ...view, panX: view.panX + dx, panY: view.panY + dy };
}

/** Wheel delta (pixels) to a zoom factor: smooth for trackpads, one notch of a mouse wheel = 1.2x. */
export function wheelZoomFactor(deltaY: number): number {
  return Math.pow(1.2, -deltaY / 100);
}

/** Where the image's top-left corner lands and how big one image pixel is on the canvas. */
export function imagePlacement(
  view: View,
  image: { width: number; height: number },
  canvas: { width: number; height: number },
): { x: number; y: number; scale: number } {
  const scale = fitScale(image.width, image.height, canvas.width, canvas.height) * view.zoom;
  return {
    scale,
    x: canvas.width / 2 + view.panX - (image.width * scale) / 2,
    y: canvas.height / 2 + view.panY - (image.height * scale) / 2,
  };
}
