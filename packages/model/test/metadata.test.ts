import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ModelMetadataError, parseModelMetadata, readMetadataProps } from '../src/metadata.js';
import { loadModel, sessionOptions } from '../src/model.js';
import { modelFiles, withMetadataProp } from './helpers.js';

describe('model metadata', () => {
  it('reads and validates what the research export writes', async () => {
    const files = await modelFiles();
    const bytes = new Uint8Array(await readFile(files.path));
    const props = readMetadataProps(bytes);
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['version', 'input_spec', 'threshold', 'metrics', 'license']));
    const meta = parseModelMetadata(props);
    expect(meta.version).toBe(files.version);
    expect(meta.inputSpec).toMatchObject({ size: 28, crop: 'center-square', resize: 'triangle', grayscale: true, layout: 'NCHW' });
    expect(meta.metrics.n).toBe(624);
    expect(meta.license).toMatch(/CC BY 4\.0/);
  });

  it('names every problem of an invalid spec', async () => {
    const { path } = await modelFiles();
    const bytes = new Uint8Array(await readFile(path));
    const bad = withMetadataProp(withMetadataProp(bytes, 'input_spec', '{"size": 28, "resize": "bicubic"}'), 'threshold', '1.5');
    try {
      parseModelMetadata(readMetadataProps(bad));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ModelMetadataError);
      expect((error as Error).message).toMatch(/inputSpec\.resize/);
      expect((error as Error).message).toMatch(/threshold/);
    }
    await expect(loadModel(bad)).rejects.toThrow(ModelMetadataError);
    expect(() => parseModelMetadata({})).toThrow(/input_spec/);
  });

  it('uses session options for a 2-core CPU', () => {
    expect(sessionOptions()).toMatchObject({ graphOptimizationLevel: 'all', executionMode: 'sequential' });
    expect(sessionOptions().intraOpNumThreads).toBeLessThanOrEqual(2);
  });
});
