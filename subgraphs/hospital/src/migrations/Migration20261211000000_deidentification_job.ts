import { Migration } from '@mikro-orm/migrations';

/** The de-identification work list: one job per review, committed with it. */
export class Migration20261211000000_deidentification_job extends Migration {
  override up(): void {
    this.addSql(`
      create table "deidentification_job" (
        "id" uuid not null,
        "review_id" uuid not null,
        "example_id" uuid not null,
        "status" text check ("status" in ('PENDING', 'DONE', 'FAILED')) not null default 'PENDING',
        "attempts" int not null default 0,
        "next_attempt_at" timestamptz not null,
        "last_error" text null,
        "created_at" timestamptz not null,
        "completed_at" timestamptz null,
        constraint "deidentification_job_pkey" primary key ("id")
      );`);
    this.addSql(`alter table "deidentification_job" add constraint "deidentification_job_review_id_unique" unique ("review_id");`);
    this.addSql(`create index "deidentification_job_due_idx" on "deidentification_job" ("status", "next_attempt_at");`);
    this.addSql(
      `alter table "deidentification_job" add constraint "deidentification_job_review_id_foreign" foreign key ("review_id") references "review" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "deidentification_job";`);
  }
}
