import { describe, expect, it } from 'vitest';
import type { ModelEventKind } from './model-event.entity.js';
import { activationStack } from './model-registry.service.js';

const e = (kind: ModelEventKind, version: string) => ({ kind, version });

describe('activationStack', () => {
  it('pushes activations and pops on rollback', () => {
    expect(activationStack([e('ACTIVATE', 'a'), e('ACTIVATE', 'b'), e('ACTIVATE', 'c')])).toEqual(['a', 'b', 'c']);
    expect(activationStack([e('ACTIVATE', 'a'), e('ACTIVATE', 'b'), e('ACTIVATE', 'c'), e('ROLLBACK', 'b')])).toEqual(['a', 'b']);
    expect(activationStack([e('ACTIVATE', 'a'), e('ACTIVATE', 'b'), e('ROLLBACK', 'a'), e('ACTIVATE', 'c')])).toEqual(['a', 'c']);
  });

  it('ignores re-activations of the top and events that change nothing live', () => {
    expect(
      activationStack([e('EXTERNAL_ACTIVATE', 'a'), e('ACTIVATE', 'a'), e('PUBLISH', 'b'), e('SHADOW', 'b'), e('CLEAR_SHADOW', 'b'), e('ACTIVATE', 'b')]),
    ).toEqual(['a', 'b']);
  });
});
