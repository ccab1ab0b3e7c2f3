import { describe, expect, it } from 'vitest';
import {
  FIT_VIEW,
  IDENTITY_WINDOW,
  ZOOM_LIMITS,
  applyLut,
  autoWindow,
  clampWindow,
  dragWindow,
  fitScale,
  imagePlacement,
  panBy,
  toGrey,
  wheelZoomFactor,
  windowLevelLut,
  zoomAt,
} from './viewer-math';

describe('window/level', () => {
  it('leaves pixels unchanged with the identity window', () => {
    const lut = windowLevelLut(IDENTITY_WINDOW);
    for (const v of [0, 1, 64, 127, 128, 200, 254, 255]) expect(lut[v]).toBe(v);
  });

  it('stretches the window to full contrast and clips outside it', () => {
    const lut = windowLevelLut({ center: 100, width: 51 });
    expect(lut[50]).toBe(0);
    expect(lut[74]).toBe(0);
    expect(lut[100]).toBe(130); // ((100 - 99.5) / 50 + 0.5) * 255
    expect(lut[125]).toBe(255);
    expect(lut[200]).toBe(255);
    for (let v = 1; v < 256; v++) expect(lut[v]!).toBeGreaterThanOrEqual(lut[v - 1]!);
  });

  it('inverts', () => {
    const lut = windowLevelLut(IDENTITY_WINDOW, true);
    expect(lut[0]).toBe(255);
    expect(lut[255]).toBe(0);
  });

  it('treats a width of 1 as a threshold at the centre', () => {
    const lut = windowLevelLut({ center: 128, width: 1 });
    expect(lut[127]).toBe(0);
    expect(lut[128]).toBe(255);
  });

  it('keeps the window within its limits', () => {
    expect(clampWindow({ center: -20, width: 1000 })).toEqual({ center: 0, width: 256 });
    expect(clampWindow({ center: 300.4, width: 0 })).toEqual({ center: 255, width: 1 });
  });

  it('maps a right-drag to width (horizontal) and level (vertical)', () => {
    expect(dragWindow({ center: 128, width: 200 }, -50, 20)).toEqual({ center: 148, width: 150 });
    expect(dragWindow({ center: 250, width: 250 }, 100, 100)).toEqual({ center: 255, width: 256 });
  });

  it('fits the window to the 1st..99th percentile for "auto"', () => {
    const grey = new Uint8Array(1000);
    for (let i = 0; i < grey.length; i++) grey[i] = 100 + (i % 51); // 100..150
    expect(autoWindow(grey)).toEqual({ center: 126, width: 51 });
    expect(autoWindow(new Uint8Array())).toEqual(IDENTITY_WINDOW);
  });

  it('turns RGBA into grey and back through the lookup table', () => {
    const rgba = new Uint8ClampedArray([255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255]);
    const grey = toGrey(rgba);
    expect([...grey]).toEqual([255, 0, 76]);
    const out = new Uint8ClampedArray(12);
    applyLut(grey, windowLevelLut(IDENTITY_WINDOW, true), out);
    expect([...out]).toEqual([0, 0, 0, 255, 255, 255, 255, 255, 179, 179, 179, 255]);
  });
});

describe('zoom and pan', () => {
  it('fits the whole image in the canvas', () => {
    expect(fitScale(2000, 1000, 800, 600)).toBe(0.4);
    expect(fitScale(500, 1000, 800, 600)).toBe(0.6);
    expect(fitScale(0, 10, 100, 100)).toBe(1);
  });

  it('keeps the point under the mouse in place while zooming', () => {
    const image = { width: 1000, height: 1000 };
    const canvas = { width: 500, height: 500 };
    const anchor = { x: 100, y: -50 }; // relative to the canvas centre
    const before = imagePlacement(FIT_VIEW, image, canvas);
    const imagePoint = { x: (250 + anchor.x - before.x) / before.scale, y: (250 + anchor.y - before.y) / before.scale };
    const zoomed = zoomAt(FIT_VIEW, 2, anchor);
    const after = imagePlacement(zoomed, image, canvas);
    expect(after.x + imagePoint.x * after.scale).toBeCloseTo(250 + anchor.x);
    expect(after.y + imagePoint.y * after.scale).toBeCloseTo(250 + anchor.y);
    expect(after.scale).toBeCloseTo(before.scale * 2);
  });

  it('limits zoom', () => {
    let view = FIT_VIEW;
    for (let i = 0; i < 50; i++) view = zoomAt(view, 2);
    expect(view.zoom).toBe(ZOOM_LIMITS.max);
    for (let i = 0; i < 50; i++) view = zoomAt(view, 0.5);
    expect(view.zoom).toBe(ZOOM_LIMITS.min);
  });

  it('zooms in when the wheel turns away from the user, and pans by a drag', () => {
    expect(wheelZoomFactor(-100)).toBeCloseTo(1.2);
    expect(wheelZoomFactor(100)).toBeCloseTo(1 / 1.2);
    expect(panBy(FIT_VIEW, 10, -5)).toEqual({ zoom: 1, panX: 10, panY: -5 });
  });

  it('centres the image at fit', () => {
    expect(imagePlacement(FIT_VIEW, { width: 200, height: 100 }, { width: 400, height: 400 })).toEqual({ x: 0, y: 100, scale: 2 });
  });
});
