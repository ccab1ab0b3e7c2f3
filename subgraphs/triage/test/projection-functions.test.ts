import 'reflect-metadata';
import { migrate } from '@triage/service-common';
import { createTestDatabase, dropTestDatabase, uniqueName } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTriageOrm } from '../src/orm.js';

const STATUSES = ['AWAITING_IMAGE', 'AWAITING_PREDICTION', 'WAITING', 'REVIEWED'] as const;

describe('projection functions', () => {
  const database = uniqueName('triagefn');
  let orm: Awaited<ReturnType<typeof createTriageOrm>>;
  const sql = async <T>(text: string, bindings: unknown[] = []) =>
    ((await orm.em.getConnection().getKnex().raw(text, bindings as never[])) as { rows: T[] }).rows;

  beforeAll(async () => {
    orm = await createTriageOrm(await createTestDatabase(database));
    await migrate(orm);
  });
  afterAll(async () => {
    await orm?.close();
    await dropTestDatabase(database);
  });

  it('moves a status only forward', async () => {
    for (const [i, current] of STATUSES.entries()) {
      for (const [j, next] of STATUSES.entries()) {
        const [row] = await sql<{ status: string }>('select triage_advance_status(?, ?) as status', [current, next]);
        expect(row!.status, `${current} then ${next}`).toBe(STATUSES[Math.max(i, j)]);
      }
    }
    const [first] = await sql<{ status: string }>('select triage_advance_status(null, ?) as status', ['WAITING']);
    expect(first!.status).toBe('WAITING');
  });

  it('turns risk into priority as round(risk * 1000), halves up', async () => {
    const cases: [number, number][] = [
      [0, 0],
      [0.0004, 0],
      [0.0005, 1], // a half rounds up, not to even
      [0.0025, 3],
      [0.8765, 877],
      [0.9995, 1000],
      [1, 1000],
    ];
    for (const [i, [risk, priority]] of cases.entries()) {
      const [row] = await sql<{ priority: number }>(
        `select (r.item).priority from triage_apply_prediction_created(gen_random_uuid(), 'h', ?, 'v1', ?, 'normal', 0.5, false, 1, 2, 3, now(), now()) r`,
        [`s${i}`, risk],
      );
      expect(row!.priority, `risk ${risk}`).toBe(priority);
      expect(row!.priority).toBe(Math.round(risk * 1000));
    }
  });
});
