import { Migration } from '@mikro-orm/migrations';

/** Worklist read model and prediction history. */
export class Migration20250601000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "worklist_item" (
      "hospital_id" text not null,
      "study_id" text not null,
      "status" text check ("status" in ('AWAITING_IMAGE', 'AWAITING_PREDICTION', 'WAITING', 'REVIEWED')) not null,
      "priority" int not null default 0,
      "risk" double precision null,
      "model_version" text null,
      "received_at" timestamptz(3) not null,
      "updated_at" timestamptz(3) not null,
      "last_event_sequence" bigint not null default 0,
      constraint "worklist_item_pkey" primary key ("hospital_id", "study_id")
    );`);
    // Matches the worklist order exactly, so keyset pages are index range scans.
    this.addSql(
      `create index "worklist_item_order_idx" on "worklist_item" ("priority" desc, "received_at" asc, "hospital_id" asc, "study_id" asc);`,
    );

    this.addSql(`create table "prediction" (
      "id" uuid not null,
      "hospital_id" text not null,
      "study_id" text not null,
      "model_version" text not null,
      "risk" double precision not null,
      "label" text check ("label" in ('pneumonia', 'normal')) not null,
      "threshold" double precision not null,
      "shadow" boolean not null default false,
      "queue_ms" double precision not null,
      "preprocess_ms" double precision not null,
      "inference_ms" double precision not null,
      "created_at" timestamptz(3) not null,
      constraint "prediction_pkey" primary key ("id")
    );`);
    // Also serves the per-study history lookups (hospital_id, study_id prefix).
    this.addSql(
      `alter table "prediction" add constraint "prediction_study_model_unique" unique ("hospital_id", "study_id", "model_version");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "prediction" cascade;`);
    this.addSql(`drop table if exists "worklist_item" cascade;`);
  }
}
