import { Migration } from '@mikro-orm/migrations';

/** The latest active prediction per study, so research copies carry the model's output. */
export class Migration20261212000000_study_prediction extends Migration {
  override up(): void {
    this.addSql(`
      create table "study_prediction" (
        "study_id" uuid not null,
        "model_version" text not null,
        "risk" double precision not null,
        "label" text not null,
        "predicted_at" timestamptz not null,
        "stream_sequence" bigint not null,
        constraint "study_prediction_pkey" primary key ("study_id")
      );`);
  }

  override down(): void {
    this.addSql(`drop table if exists "study_prediction";`);
  }
}
