import { describe, expect, it } from 'vitest';
import { canSniff, sniffImageKind } from './sniff.js';

const dicomPreamble = (magic: string) => Buffer.concat([Buffer.alloc(128), Buffer.from(magic, 'latin1'), Buffer.alloc(16)]);

describe('sniffImageKind', () => {
  it.each([
    ['JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'jpeg'],
    ['PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'png'],
    ['DICOM Part 10', dicomPreamble('DICM'), 'dicom'],
    ['text', Buffer.from('name,mrn\nAda,1\n'), null],
    ['a PNG signature without its line-ending check bytes', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0a, 0x0a, 0x1a, 0x0a]), null],
    ['DICM at the wrong offset', Buffer.concat([Buffer.from('DICM'), Buffer.alloc(200)]), null],
    ['nothing', Buffer.alloc(0), null],
  ])('%s -> %s', (_label, bytes, kind) => {
    expect(sniffImageKind(bytes)).toBe(kind);
  });

  it('decides JPEG and PNG from their first bytes but waits for byte 132 for anything else', () => {
    expect(canSniff(Buffer.from([0xff, 0xd8, 0xff]))).toBe(true);
    expect(canSniff(Buffer.from('hello'))).toBe(false);
    expect(canSniff(Buffer.alloc(132))).toBe(true);
  });
});
