import { describe, expect, it } from 'vitest';
import { looksLikeOnnx } from './onnx-validation.js';

describe('looksLikeOnnx', () => {
  it('wants ir_version and graph fields covering the whole file', () => {
    // field 1 varint 8; field 7 bytes (len 2)
    expect(looksLikeOnnx(Uint8Array.from([0x08, 0x08, 0x3a, 0x02, 0x0a, 0x00]))).toBe(true);
    expect(looksLikeOnnx(Uint8Array.from([0x08, 0x08]))).toBe(false);
    expect(looksLikeOnnx(Uint8Array.from([0x08, 0x08, 0x3a, 0x05, 0x0a]))).toBe(false);
    expect(looksLikeOnnx(new TextEncoder().encode('hello, this is not a model'))).toBe(false);
    expect(looksLikeOnnx(new TextEncoder().encode('{"version": "v1"}'))).toBe(false);
    expect(looksLikeOnnx(new Uint8Array(0))).toBe(false);
  });
});
