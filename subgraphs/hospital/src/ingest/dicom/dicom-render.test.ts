import { describe, expect, it } from 'vitest';
import type { PixelModule } from './dicom-file.js';
import { applyLuts } from './dicom-render.js';

const module = (overrides: Partial<PixelModule>): PixelModule => ({
  rows: 1,
  columns: 1,
  samplesPerPixel: 1,
  photometricInterpretation: 'MONOCHROME2',
  planarConfiguration: 0,
  numberOfFrames: 1,
  bitsAllocated: 16,
  bitsStored: 16,
  highBit: 15,
  pixelRepresentation: 0,
  voiLutFunction: 'LINEAR',
  ...overrides,
});

describe('applyLuts', () => {
  it('stretches min..max when there is no window, and inverts MONOCHROME1', () => {
    const raw = new Uint16Array([100, 150, 200]);
    expect([...applyLuts(raw, module({}))]).toEqual([0, 128, 255]);
    expect([...applyLuts(raw, module({ photometricInterpretation: 'MONOCHROME1' }))]).toEqual([255, 127, 0]);
  });

  it('applies the modality rescale before the LINEAR window (PS3.3 C.11.2.1.2.1)', () => {
    // -1000 HU air, 0 water, 1000 bone under a 400/1500 lung window.
    const raw = new Uint16Array([24, 1024, 2024]);
    const out = applyLuts(raw, module({ rescaleSlope: 1, rescaleIntercept: -1024, windowCenter: -600, windowWidth: 1500 }));
    const linear = (x: number) => ((x - (-600 - 0.5)) / (1500 - 1) + 0.5) * 255;
    expect([...out]).toEqual([Math.round(linear(-1000)), Math.round(linear(0)), 255]);
    expect(out[0]).toBeGreaterThan(0);
    expect(out[1]).toBeLessThan(255);
  });

  it('reads signed samples and masks the bits above Bits Stored', () => {
    // 12 bits stored, two's complement: 0x0fff is -1, 0x0800 is -2048; the top nibble is noise.
    const raw = new Uint16Array([0xf800, 0x0fff, 0x07ff]);
    const out = applyLuts(raw, module({ bitsStored: 12, highBit: 11, pixelRepresentation: 1 }));
    expect([...out]).toEqual([0, Math.round((2047 / 4095) * 255), 255]);
  });

  it('leaves the padding value out of the min..max stretch', () => {
    const raw = new Uint16Array([0, 1000, 2000]);
    expect([...applyLuts(raw, module({ pixelPaddingValue: 0 }))]).toEqual([0, 0, 255]);
  });

  it('supports LINEAR_EXACT and SIGMOID', () => {
    const raw = new Uint8Array([0, 50, 100]);
    const px = { bitsAllocated: 8, bitsStored: 8, highBit: 7, windowCenter: 50, windowWidth: 100 };
    expect([...applyLuts(raw, module({ ...px, voiLutFunction: 'LINEAR_EXACT' }))]).toEqual([0, 128, 255]);
    expect([...applyLuts(raw, module({ ...px, voiLutFunction: 'SIGMOID' }))]).toEqual([30, 128, 225]);
  });
});
