import { describe, expect, it } from 'vitest';
import { csvCell, imageFileName } from './dataset.service.js';

describe('csvCell', () => {
  it('quotes per RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(2025)).toBe('2025');
    expect(csvCell(null)).toBe('');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });
});

describe('imageFileName', () => {
  it('keeps any example id inside its split folder', () => {
    expect(imageFileName('train', 'ex1')).toBe('images/train/ex1.png');
    expect(imageFileName('test', '../../etc/passwd')).toBe('images/test/..%2F..%2Fetc%2Fpasswd.png');
  });
});
