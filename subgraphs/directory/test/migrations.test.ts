import { migrate, pendingSchemaDiff, type Orm } from '@triage/service-common';
import { createTestDatabase, dropTestDatabase, uniqueName } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDirectoryOrm } from '../src/database.js';

describe('directory migrations', () => {
  const database = uniqueName('dirmig');
  let orm: Orm;

  beforeAll(async () => {
    orm = await openDirectoryOrm(await createTestDatabase(database));
  });
  afterAll(async () => {
    await orm?.close();
    await dropTestDatabase(database);
  });

  it('create exactly the schema the entities describe', async () => {
    expect(await migrate(orm)).toEqual(['Migration20250601000000_initial']);
    expect(await pendingSchemaDiff(orm)).toBe('');
  });

  it('are applied once', async () => {
    expect(await migrate(orm)).toEqual([]);
  });
});
