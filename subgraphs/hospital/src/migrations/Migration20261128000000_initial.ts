import { Migration } from '@mikro-orm/migrations';

/** Patients, studies and the transactional outbox of one hospital. */
export class Migration20261128000000_initial extends Migration {
  override up(): void {
    this.addSql(`
      create table "patient" (
        "id" uuid not null,
        "hospital_id" uuid not null,
        "mrn" text not null,
        "name" text not null,
        "birth_date" date not null,
        "sex" text check ("sex" in ('FEMALE', 'MALE', 'OTHER', 'UNKNOWN')) not null,
        "created_at" timestamptz not null,
        "updated_at" timestamptz not null,
        constraint "patient_pkey" primary key ("id")
      );`);
    this.addSql(`alter table "patient" add constraint "patient_mrn_unique" unique ("mrn");`);
    this.addSql(`create index "patient_created_at_id_idx" on "patient" ("created_at", "id");`);

    this.addSql(`
      create table "study" (
        "id" uuid not null,
        "hospital_id" uuid not null,
        "accession_number" text not null,
        "patient_id" uuid not null,
        "modality" text not null default 'DX',
        "body_part" text not null default 'CHEST',
        "acquired_at" timestamptz not null,
        "status" text check ("status" in ('REGISTERED', 'IMAGE_STORED', 'REVIEWED')) not null default 'REGISTERED',
        "image_bucket" text null,
        "image_key" text null,
        "image_sha256" text null,
        "image_content_type" text null,
        "image_width" int null,
        "image_height" int null,
        "created_at" timestamptz not null,
        "updated_at" timestamptz not null,
        constraint "study_pkey" primary key ("id")
      );`);
    this.addSql(`alter table "study" add constraint "study_accession_number_unique" unique ("accession_number");`);
    this.addSql(`create index "study_patient_id_idx" on "study" ("patient_id");`);
    this.addSql(`create index "study_created_at_id_idx" on "study" ("created_at", "id");`);
    this.addSql(
      `alter table "study" add constraint "study_patient_id_foreign" foreign key ("patient_id") references "patient" ("id") on update cascade on delete restrict;`,
    );

    this.addSql(`
      create table "outbox_event" (
        "id" bigserial primary key,
        "subject" text not null,
        "msg_id" text not null,
        "payload" jsonb not null,
        "created_at" timestamptz not null,
        "published_at" timestamptz null
      );`);
    this.addSql(`alter table "outbox_event" add constraint "outbox_event_msg_id_unique" unique ("msg_id");`);
    this.addSql(`create index "outbox_event_unpublished_idx" on "outbox_event" ("published_at", "created_at");`);
  }

  override down(): void {
    this.addSql(`drop table if exists "outbox_event";`);
    this.addSql(`drop table if exists "study";`);
    this.addSql(`drop table if exists "patient";`);
  }
}
