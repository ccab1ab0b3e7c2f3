import { Migration } from '@mikro-orm/migrations';

/** Doctors' reviews (findings) of studies. */
export class Migration20261210000000_review extends Migration {
  override up(): void {
    this.addSql(`
      create table "review" (
        "id" uuid not null,
        "study_id" uuid not null,
        "finding" text check ("finding" in ('PNEUMONIA', 'NORMAL', 'UNCERTAIN')) not null,
        "notes" text null,
        "reviewer_id" text not null,
        "reviewer_name" text null,
        "reviewed_at" timestamptz not null,
        constraint "review_pkey" primary key ("id")
      );`);
    this.addSql(`create index "review_study_id_reviewed_at_idx" on "review" ("study_id", "reviewed_at");`);
    this.addSql(
      `alter table "review" add constraint "review_study_id_foreign" foreign key ("study_id") references "study" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "review";`);
  }
}
