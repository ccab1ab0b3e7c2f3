import { Migration } from '@mikro-orm/migrations';

/** Labelled examples, frozen datasets and the model registry's versions and event log. */
export class Migration20260301000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "labeled_example" (
      "example_id" text not null,
      "hospital_id" text not null,
      "pseudonym" text not null,
      "finding" text check ("finding" in ('pneumonia', 'normal', 'uncertain')) not null,
      "model_version" text null,
      "model_risk" double precision null,
      "model_label" text check ("model_label" in ('pneumonia', 'normal')) null,
      "age_band" text null,
      "sex" text check ("sex" in ('FEMALE', 'MALE', 'OTHER', 'UNKNOWN')) not null,
      "study_year" int null,
      "image_bucket" text not null,
      "image_key" text not null,
      "image_sha256" text not null,
      "image_content_type" text not null,
      "image_width" int not null,
      "image_height" int not null,
      "deidentification_method" text not null,
      "text_regions_removed" int not null default 0,
      "stream_sequence" bigint not null,
      "labeled_at" timestamptz(3) not null,
      "received_at" timestamptz(3) not null,
      constraint "labeled_example_pkey" primary key ("example_id")
    );`);
    // The labeledExamples order (newest first), as keyset pages.
    this.addSql(`create index "labeled_example_order_idx" on "labeled_example" ("stream_sequence", "example_id");`);
    this.addSql(`create index "labeled_example_hospital_idx" on "labeled_example" ("hospital_id");`);
    this.addSql(`create index "labeled_example_model_version_idx" on "labeled_example" ("model_version");`);

    this.addSql(`create table "dataset" (
      "id" uuid not null,
      "version" int not null,
      "name" text null,
      "content_hash" text not null,
      "example_count" int not null,
      "pneumonia_count" int not null,
      "normal_count" int not null,
      "train_count" int not null,
      "val_count" int not null,
      "test_count" int not null,
      "skipped_count" int not null,
      "image_size" int not null,
      "npz_object" text not null,
      "npz_sha256" text not null,
      "npz_bytes" bigint not null,
      "zip_object" text not null,
      "zip_sha256" text not null,
      "zip_bytes" bigint not null,
      "created_at" timestamptz(3) not null,
      "created_by" text not null,
      constraint "dataset_pkey" primary key ("id")
    );`);
    this.addSql(`alter table "dataset" add constraint "dataset_version_unique" unique ("version");`);

    this.addSql(`create table "dataset_example" (
      "dataset_id" uuid not null,
      "example_id" text not null,
      "split" text check ("split" in ('train', 'val', 'test')) not null,
      "label" smallint not null,
      "position" int not null,
      constraint "dataset_example_pkey" primary key ("dataset_id", "example_id")
    );`);
    this.addSql(`create index "dataset_example_example_idx" on "dataset_example" ("example_id");`);
    this.addSql(
      `alter table "dataset_example" add constraint "dataset_example_dataset_id_foreign" foreign key ("dataset_id") references "dataset" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "dataset_example" add constraint "dataset_example_example_id_foreign" foreign key ("example_id") references "labeled_example" ("example_id") on update cascade;`,
    );

    this.addSql(`create table "model_version" (
      "version" text not null,
      "status" text check ("status" in ('ACTIVE', 'SHADOW', 'RETIRED', 'AVAILABLE')) not null default 'AVAILABLE',
      "sha256" text not null,
      "object_key" text not null,
      "size_bytes" bigint not null,
      "threshold" double precision not null,
      "metrics" jsonb not null,
      "input_spec" jsonb not null,
      "training_data_sha256" text null,
      "license" text null,
      "published_at" timestamptz(3) not null,
      "published_by" text not null,
      "updated_at" timestamptz(3) not null,
      constraint "model_version_pkey" primary key ("version")
    );`);
    // At most one ACTIVE and one SHADOW version.
    this.addSql(
      `create unique index "model_version_live_status_unique" on "model_version" ("status") where "status" in ('ACTIVE', 'SHADOW');`,
    );

    this.addSql(`create table "model_event" (
      "id" bigserial primary key,
      "kind" text check ("kind" in ('PUBLISH', 'ACTIVATE', 'SHADOW', 'CLEAR_SHADOW', 'ROLLBACK', 'EXTERNAL_ACTIVATE')) not null,
      "version" text null,
      "previous_version" text null,
      "actor" text not null,
      "occurred_at" timestamptz(3) not null
    );`);
    this.addSql(`create index "model_event_kind_idx" on "model_event" ("kind", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "model_event" cascade;`);
    this.addSql(`drop table if exists "model_version" cascade;`);
    this.addSql(`drop table if exists "dataset_example" cascade;`);
    this.addSql(`drop table if exists "dataset" cascade;`);
    this.addSql(`drop table if exists "labeled_example" cascade;`);
  }
}
