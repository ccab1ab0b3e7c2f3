import { describe, expect, it } from 'vitest';
import { dicomDate, dicomDateTime, personName } from './dicom-file.js';

describe('DICOM value parsing', () => {
  it.each([
    ['Doe^Jane', 'Jane Doe'],
    ['Doe^Jane^Q^Dr.^Jr', 'Dr. Jane Q Doe Jr'],
    ['Yamada^Tarou=山田^太郎', 'Tarou Yamada'],
    ['Doe', 'Doe'],
    ['^^^', undefined],
    ['', undefined],
  ])('person name %j -> %j', (value, expected) => {
    expect(personName(value)).toBe(expected);
  });

  it('dates: DA and the retired dotted form, real calendar days only', () => {
    expect(dicomDate('19630306')).toBe('1963-03-06');
    expect(dicomDate('1963.03.06')).toBe('1963-03-06');
    expect(dicomDate('19630230')).toBeUndefined();
    expect(dicomDate('1963')).toBeUndefined();
    expect(dicomDate(undefined)).toBeUndefined();
  });

  it('date + time + offset -> instant', () => {
    expect(dicomDateTime('20150210', '101530.25', '+0100')?.toISOString()).toBe('2015-02-10T09:15:30.250Z');
    expect(dicomDateTime('20150210', '1015', undefined)?.toISOString()).toBe('2015-02-10T10:15:00.000Z');
    expect(dicomDateTime('20150210', '10:15:30', '-0500')?.toISOString()).toBe('2015-02-10T15:15:30.000Z');
    expect(dicomDateTime('20150210', undefined, undefined)?.toISOString()).toBe('2015-02-10T00:00:00.000Z');
    // An impossible time makes the whole value doubtful: the study keeps its own.
    expect(dicomDateTime('20150210', '2561', undefined)).toBeUndefined();
    expect(dicomDateTime(undefined, '101530', undefined)).toBeUndefined();
  });
});
