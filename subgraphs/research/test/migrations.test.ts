import 'reflect-metadata';
import { migrate, pendingSchemaDiff } from '@triage/service-common';
import { createTestDatabase, dropTestDatabase, uniqueName } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../src/migrations/index.js';
import { createResearchOrm } from '../src/orm.js';

describe('migrations', () => {
  const database = uniqueName('researchmig');
  let orm: Awaited<ReturnType<typeof createResearchOrm>>;

  beforeAll(async () => {
    orm = await createResearchOrm(await createTestDatabase(database));
  });
  afterAll(async () => {
    await orm?.close();
    await dropTestDatabase(database);
  });

  it('create exactly the schema the entities describe, once', async () => {
    expect(await migrate(orm)).toEqual(migrations.map((m) => m.name));
    expect(await pendingSchemaDiff(orm)).toBe('');
    expect(await migrate(orm)).toEqual([]);
  });

  it('roll back cleanly', async () => {
    await orm.getMigrator().down({ to: 0 });
    const tables = await orm.em
      .fork()
      .execute(
        `select table_name from information_schema.tables where table_schema = 'public' and table_name in ('labeled_example', 'dataset', 'dataset_example', 'model_version', 'model_event')`,
      );
    expect(tables).toEqual([]);
    await migrate(orm);
    expect(await pendingSchemaDiff(orm)).toBe('');
  });
});
