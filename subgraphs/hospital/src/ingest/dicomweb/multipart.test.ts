import { describe, expect, it } from 'vitest';
import { MultipartError, MultipartParser, parseMediaType, type MultipartPart } from './multipart.js';

const body = (boundary: string, parts: string[], { preamble = '', epilogue = '' } = {}) =>
  Buffer.from(`${preamble}${parts.map((p) => `--${boundary}\r\nContent-Type: application/dicom\r\n\r\n${p}\r\n`).join('')}--${boundary}--\r\n${epilogue}`);

function parseInChunks(bytes: Buffer, boundary: string, chunkSize: number, maxPartBytes = 1 << 20): MultipartPart[] {
  const parser = new MultipartParser(boundary, { maxPartBytes });
  const parts: MultipartPart[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) parts.push(...parser.push(bytes.subarray(i, i + chunkSize)));
  parser.end();
  return parts;
}

describe('MultipartParser', () => {
  const payloads = ['first\r\n--not-the-boundary\r\n', '', 'x'.repeat(5000), '--b\r\n almost a delimiter --b'];

  it.each([1, 2, 7, 64, 100_000])('finds the same parts whatever the chunk size (%i bytes)', (chunkSize) => {
    const parts = parseInChunks(body('b0und', payloads, { preamble: 'ignored\r\n', epilogue: 'also ignored' }), 'b0und', chunkSize);
    expect(parts.map((p) => p.body?.toString())).toEqual(payloads);
    expect(parts.every((p) => p.headers['content-type'] === 'application/dicom')).toBe(true);
  });

  it('skips a part over the limit but keeps counting it, and goes on with the next', () => {
    const parts = parseInChunks(body('b', ['small', 'y'.repeat(300), 'after']), 'b', 16, 100);
    expect(parts.map((p) => [p.body?.toString() ?? null, p.size])).toEqual([
      ['small', 5],
      [null, 300],
      ['after', 5],
    ]);
  });

  it('reports a body without its closing boundary, or without any boundary', () => {
    expect(() => parseInChunks(Buffer.from('--b\r\n\r\nunfinished'), 'b', 4)).toThrow(/closing boundary/);
    const parser = new MultipartParser('b', { maxPartBytes: 100, maxHeaderBytes: 64 });
    expect(() => parser.push(Buffer.alloc(200, 0x61))).toThrow(MultipartError);
  });
});

describe('parseMediaType', () => {
  it('reads quoted and plain parameters', () => {
    expect(parseMediaType('Multipart/Related; type="application/dicom"; boundary=abc;start="<1@x>"')).toEqual({
      type: 'multipart/related',
      params: { type: 'application/dicom', boundary: 'abc', start: '<1@x>' },
    });
    expect(parseMediaType('multipart/related;boundary="a b\\"c"')?.params.boundary).toBe('a b"c');
    expect(parseMediaType('nonsense')).toBeNull();
    expect(parseMediaType(undefined)).toBeNull();
  });
});
