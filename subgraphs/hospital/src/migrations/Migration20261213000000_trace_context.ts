import { Migration } from '@mikro-orm/migrations';

/**
 * The W3C trace context an event or a de-identification job was staged in, so the event published
 * after the commit (by the request or, after an outage, by the relay) and the research copy made
 * later by the queue continue the request's trace.
 */
export class Migration20261213000000_trace_context extends Migration {
  override up(): void {
    this.addSql(`alter table "outbox_event" add column "trace_context" jsonb null;`);
    this.addSql(`alter table "deidentification_job" add column "trace_context" jsonb null;`);
  }

  override down(): void {
    this.addSql(`alter table "deidentification_job" drop column if exists "trace_context";`);
    this.addSql(`alter table "outbox_event" drop column if exists "trace_context";`);
  }
}
