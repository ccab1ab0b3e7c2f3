import { badInput } from '@triage/auth';
import { z } from 'zod';

/** A position in the labeledExamples order (streamSequence DESC, exampleId DESC). */
export interface ExamplePosition {
  streamSequence: number;
  exampleId: string;
}

const CURSOR_VERSION = 1;
const CursorPayload = z.tuple([z.literal(CURSOR_VERSION), z.number().int().min(0), z.string().min(1)]);

export function encodeExampleCursor(position: ExamplePosition): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, position.streamSequence, position.exampleId])).toString('base64url');
}

export function decodeExampleCursor(cursor: string): ExamplePosition {
  try {
    const [, streamSequence, exampleId] = CursorPayload.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { streamSequence, exampleId };
  } catch {
    throw badInput('Invalid labeledExamples cursor');
  }
}
