import { describe, expect, it } from 'vitest';
import { PhiScanner, seededPhi } from './phi-scan.js';

describe('PhiScanner', () => {
  it('knows the fake patients of the sample X-rays and the seed builders', () => {
    const values = seededPhi().map(String);
    expect(values).toEqual(expect.arrayContaining(['Jo Mcintyre', 'FEED-9829', '1945-04-03', 'E2E Patient', 'Ada Lovelace']));
  });

  it('finds a seeded value as text, in DICOM and CSV forms, and in binary bodies', () => {
    const scanner = new PhiScanner(['Jo Mcintyre', '1945-04-03', /E2E-\d{10,}-\d+/]);
    scanner.scan('{"data":{"pseudonym":"ab12"}}', 'clean');
    expect(scanner.hits).toEqual([]);
    scanner.scan('PatientName=MCINTYRE^JO', 'dicom name');
    scanner.scan(new Uint8Array([0, 1, ...Buffer.from('x19450403y'), 255]), 'binary date');
    scanner.scan('mrn E2E-1780000000000-3', 'mrn');
    expect(scanner.hits).toEqual([
      { value: 'Jo Mcintyre', where: 'dicom name' },
      { value: '1945-04-03', where: 'binary date' },
      { value: String(/E2E-\d{10,}-\d+/i), where: 'mrn' },
    ]);
    expect(scanner.scanned).toBe(4);
    expect(() => scanner.assertClean()).toThrow(/3 response/);
  });

  it('fails when it scanned nothing, and refuses values too short to scan for', () => {
    expect(() => new PhiScanner([]).assertClean()).toThrow(/saw nothing/);
    expect(() => new PhiScanner(['Al'])).toThrow(/too short/);
    const clean = new PhiScanner(['Jo Mcintyre']);
    clean.scan('nothing here', 'x');
    expect(() => clean.assertClean()).not.toThrow();
  });
});
