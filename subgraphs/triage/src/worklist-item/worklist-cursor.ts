import { badInput } from '@triage/auth';
import { z } from 'zod';

/** A position in the worklist order (priority DESC, receivedAt ASC, hospitalId, studyId). */
export interface WorklistPosition {
  priority: number;
  receivedAt: Date;
  hospitalId: string;
  studyId: string;
}

const CURSOR_VERSION = 1;
const CursorPayload = z.tuple([
  z.literal(CURSOR_VERSION),
  z.number().int(),
  z.string().datetime({ offset: true }),
  z.string().min(1),
  z.string().min(1),
]);

/** Opaque to clients; versioned so the order can change without misreading old cursors. */
export function encodeWorklistCursor(item: WorklistPosition): string {
  const payload = [CURSOR_VERSION, item.priority, item.receivedAt.toISOString(), item.hospitalId, item.studyId];
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function decodeWorklistCursor(cursor: string): WorklistPosition {
  try {
    const [, priority, receivedAt, hospitalId, studyId] = CursorPayload.parse(
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')),
    );
    return { priority, receivedAt: new Date(receivedAt), hospitalId, studyId };
  } catch {
    throw badInput('Invalid worklist cursor');
  }
}

