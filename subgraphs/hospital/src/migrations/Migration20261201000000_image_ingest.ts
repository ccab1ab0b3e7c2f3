import { Migration } from '@mikro-orm/migrations';

/**
 * Image ingest: signed upload URLs, the uploaded original next to the image the worker reads,
 * DICOM identifiers, and provisional patients that a DICOM header fills in (a DICOM patient may
 * have no birth date).
 */
export class Migration20261201000000_image_ingest extends Migration {
  override up(): void {
    this.addSql(`alter table "patient" alter column "birth_date" drop not null;`);
    this.addSql(`alter table "patient" add column "provisional" boolean not null default false;`);

    this.addSql(`
      alter table "study"
        add column "original_key" text null,
        add column "original_sha256" text null,
        add column "original_content_type" text null,
        add column "original_size" int null,
        add column "study_instance_uid" text null,
        add column "sop_instance_uid" text null;`);
    this.addSql(`create index "study_study_instance_uid_idx" on "study" ("study_instance_uid");`);

    this.addSql(`
      create table "study_upload" (
        "id" uuid not null,
        "token_hash" text not null,
        "study_id" uuid not null,
        "fill_from_header" jsonb not null,
        "created_by" text not null,
        "expires_at" timestamptz not null,
        "used_at" timestamptz null,
        "created_at" timestamptz not null,
        constraint "study_upload_pkey" primary key ("id")
      );`);
    this.addSql(`alter table "study_upload" add constraint "study_upload_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "study_upload_study_id_idx" on "study_upload" ("study_id");`);
    this.addSql(
      `alter table "study_upload" add constraint "study_upload_study_id_foreign" foreign key ("study_id") references "study" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "study_upload";`);
    this.addSql(`drop index if exists "study_study_instance_uid_idx";`);
    this.addSql(`
      alter table "study"
        drop column "original_key",
        drop column "original_sha256",
        drop column "original_content_type",
        drop column "original_size",
        drop column "study_instance_uid",
        drop column "sop_instance_uid";`);
    this.addSql(`alter table "patient" drop column "provisional";`);
    // Patients first seen in a DICOM header may have no birth date; they cannot go back.
    this.addSql(`alter table "patient" alter column "birth_date" set not null;`);
  }
}
