import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './index.js';

describe('createLogger', () => {
  it('censors fields that may carry patient data', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ service: 'test', destination: sink });
    log.info({ patient: { name: 'Jane Roe', mrn: 'MRN-1', birthDate: '1970-01-01' }, studyId: 's1' }, 'created');
    const out = lines.join('');
    expect(out).toContain('"studyId":"s1"');
    expect(out).not.toContain('Jane Roe');
    expect(out).not.toContain('MRN-1');
    expect(out).not.toContain('1970-01-01');
  });
});
