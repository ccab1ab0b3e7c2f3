import 'reflect-metadata';
import { migrate, pendingSchemaDiff } from '@triage/service-common';
import { createTestDatabase, dropTestDatabase, uniqueName } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTriageOrm } from '../src/orm.js';

describe('migrations', () => {
  const database = uniqueName('triagemig');
  let orm: Awaited<ReturnType<typeof createTriageOrm>>;

  beforeAll(async () => {
    orm = await createTriageOrm(await createTestDatabase(database));
  });
  afterAll(async () => {
    await orm?.close();
    await dropTestDatabase(database);
  });

  it('create exactly the schema the entities describe, once', async () => {
    expect(await migrate(orm)).toEqual(['Migration20250601000000_initial', 'Migration20261128000000_projection_functions']);
    expect(await pendingSchemaDiff(orm)).toBe('');
    expect(await migrate(orm)).toEqual([]);
  });

  it('roll back cleanly', async () => {
    await orm.getMigrator().down({ to: 0 });
    const tables = await orm.em.fork().execute(`select table_name from information_schema.tables where table_schema = 'public' and table_name in ('worklist_item', 'prediction')`);
    expect(tables).toEqual([]);
    const functions = await orm.em.fork().execute(`select proname from pg_proc where proname like 'triage\\_%'`);
    expect(functions).toEqual([]);
    await migrate(orm);
    expect(await pendingSchemaDiff(orm)).toBe('');
  });
});
