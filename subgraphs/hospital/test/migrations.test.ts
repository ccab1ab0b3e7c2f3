import { migrate, pendingSchemaDiff, type Orm } from '@triage/service-common';
import { createTestDatabase, dropTestDatabase, uniqueName } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHospitalOrm } from '../src/database.js';
import { migrations } from '../src/migrations/index.js';

describe('migrations', () => {
  const database = uniqueName('hospital_mig_');
  let orm: Orm;

  beforeAll(async () => {
    orm = await createHospitalOrm(await createTestDatabase(database));
  });
  afterAll(async () => {
    await orm?.close();
    await dropTestDatabase(database);
  });

  it('apply to an empty database and leave nothing for the entities to add', async () => {
    expect(await migrate(orm)).toEqual(migrations.map((m) => m.name));
    expect(await pendingSchemaDiff(orm)).toBe('');
  });

  it('are applied once', async () => {
    expect(await migrate(orm)).toEqual([]);
  });

  it('roll back cleanly', async () => {
    await orm.getMigrator().down({ to: 0 });
    const tables = await orm.em.getConnection().execute<{ tablename: string }[]>(
      `select tablename from pg_tables where schemaname = 'public' and tablename in ('patient', 'study', 'study_upload', 'review', 'deidentification_job', 'outbox_event')`,
    );
    expect(tables).toEqual([]);
    await migrate(orm);
    expect(await pendingSchemaDiff(orm)).toBe('');
  });
});
