import { Migration } from '@mikro-orm/migrations';

/**
 * The worklist projection as database functions: each event is one statement (one round trip)
 * instead of a transaction of five to eight. The rules: events can arrive out of order (a prediction
 * before its study, a redelivery after a newer event), so a status only moves forward
 * (AWAITING_IMAGE < AWAITING_PREDICTION < WAITING < REVIEWED); priority is round(risk * 1000) of the
 * newest live prediction, 0 without one; the registration time is the earliest one heard of; one
 * study's events are serialized by a transaction-scoped advisory lock (the statement is its own
 * transaction).
 *
 * Each function returns the item after the event (no row when the event leaves the study off the
 * worklist) and whether a worklist reader sees a change.
 */
export class Migration20261128000000_projection_functions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function triage_status_rank(status text) returns int
      language sql immutable strict parallel safe
      return case status
        when 'AWAITING_IMAGE' then 0
        when 'AWAITING_PREDICTION' then 1
        when 'WAITING' then 2
        when 'REVIEWED' then 3
      end;`);

    this.addSql(`create function triage_advance_status(current_status text, next_status text) returns text
      language sql immutable parallel safe
      return case
        when current_status is null or triage_status_rank(next_status) > triage_status_rank(current_status) then next_status
        else current_status
      end;`);

    this.addSql(`create function triage_lock_study(p_hospital_id text, p_study_id text) returns void
      language sql volatile
      begin atomic
        select pg_advisory_xact_lock(hashtextextended('triage:' || p_hospital_id || ':' || p_study_id, 0));
      end;`);

    // A study was registered (status AWAITING_IMAGE) or its image stored (AWAITING_PREDICTION).
    this.addSql(`create function triage_apply_study_created(
        p_hospital_id text, p_study_id text, p_status text, p_registered_at timestamptz, p_now timestamptz)
      returns table (item worklist_item, changed boolean)
      language plpgsql volatile as $$
      declare
        old_item worklist_item;
        new_item worklist_item;
      begin
        perform triage_lock_study(p_hospital_id, p_study_id);
        select * into old_item from worklist_item w where w.hospital_id = p_hospital_id and w.study_id = p_study_id;
        if not found then
          insert into worklist_item (hospital_id, study_id, status, received_at, updated_at)
            values (p_hospital_id, p_study_id, p_status, p_registered_at, p_now)
            returning * into new_item;
          return query select new_item, true;
          return;
        end if;
        new_item := old_item;
        new_item.status := triage_advance_status(old_item.status, p_status);
        -- The row may come from an earlier prediction or review; the study's own registration time wins.
        new_item.received_at := least(old_item.received_at, p_registered_at);
        return query select * from triage_save_item(old_item, new_item, p_now);
      end $$;`);

    // A doctor recorded a finding: the item leaves the queue as REVIEWED, with the live prediction the
    // doctor saw (for the agreement metric) when this event is the one that moved it.
    this.addSql(`create function triage_apply_study_reviewed(
        p_hospital_id text, p_study_id text, p_occurred_at timestamptz, p_now timestamptz)
      returns table (item worklist_item, changed boolean, reviewed_model_version text, reviewed_label text)
      language plpgsql volatile as $$
      declare
        old_item worklist_item;
        new_item worklist_item;
        live prediction;
        saved record;
      begin
        perform triage_lock_study(p_hospital_id, p_study_id);
        select * into old_item from worklist_item w where w.hospital_id = p_hospital_id and w.study_id = p_study_id;
        if not found then
          -- The study event has not arrived yet; its registration time will replace this one.
          insert into worklist_item (hospital_id, study_id, status, received_at, updated_at)
            values (p_hospital_id, p_study_id, 'REVIEWED', p_occurred_at, p_now)
            returning * into new_item;
          return query select new_item, true, null::text, null::text;
          return;
        end if;
        new_item := old_item;
        new_item.status := triage_advance_status(old_item.status, 'REVIEWED');
        select * into saved from triage_save_item(old_item, new_item, p_now);
        if old_item.status <> 'REVIEWED' then
          select * into live from prediction p
            where p.hospital_id = p_hospital_id and p.study_id = p_study_id and not p.shadow
            order by p.created_at desc, p.model_version desc limit 1;
        end if;
        return query select saved.item, saved.changed, live.model_version, live.label;
      end $$;`);

    // A model's prediction: stored once per study and model version (a replay updates it in place;
    // a model promoted from shadow stays live), then the item follows the newest live prediction.
    // Shadow predictions never touch the worklist.
    this.addSql(`create function triage_apply_prediction_created(
        p_id uuid, p_hospital_id text, p_study_id text, p_model_version text, p_risk double precision,
        p_label text, p_threshold double precision, p_shadow boolean, p_queue_ms double precision,
        p_preprocess_ms double precision, p_inference_ms double precision, p_occurred_at timestamptz,
        p_now timestamptz)
      returns table (item worklist_item, changed boolean, new_live_prediction boolean)
      language plpgsql volatile as $$
      declare
        inserted boolean;
        live prediction;
        old_item worklist_item;
        new_item worklist_item;
        live_priority int;
      begin
        perform triage_lock_study(p_hospital_id, p_study_id);
        insert into prediction as p (id, hospital_id, study_id, model_version, risk, label, threshold, shadow,
            queue_ms, preprocess_ms, inference_ms, created_at)
          values (p_id, p_hospital_id, p_study_id, p_model_version, p_risk, p_label, p_threshold, p_shadow,
            p_queue_ms, p_preprocess_ms, p_inference_ms, p_occurred_at)
          on conflict (hospital_id, study_id, model_version) do update set
            risk = excluded.risk, label = excluded.label, threshold = excluded.threshold,
            queue_ms = excluded.queue_ms, preprocess_ms = excluded.preprocess_ms, inference_ms = excluded.inference_ms,
            shadow = p.shadow and excluded.shadow
          returning (xmax = 0) into inserted;

        select * into old_item from worklist_item w where w.hospital_id = p_hospital_id and w.study_id = p_study_id;
        select * into live from prediction p
          where p.hospital_id = p_hospital_id and p.study_id = p_study_id and not p.shadow
          order by p.created_at desc, p.model_version desc limit 1;
        if not found then
          return query select old_item, false, false where old_item.study_id is not null;
          return;
        end if;
        -- Math.round(risk * 1000) for risks in [0, 1].
        live_priority := floor(live.risk * 1000 + 0.5)::int;
        if old_item.study_id is null then
          -- The study event has not arrived yet: the doctor should see the risk anyway.
          insert into worklist_item (hospital_id, study_id, status, priority, risk, model_version, received_at, updated_at)
            values (p_hospital_id, p_study_id, 'WAITING', live_priority, live.risk, live.model_version, p_occurred_at, p_now)
            returning * into new_item;
          return query select new_item, true, inserted and not p_shadow;
          return;
        end if;
        new_item := old_item;
        new_item.status := triage_advance_status(old_item.status, 'WAITING');
        new_item.risk := live.risk;
        new_item.model_version := live.model_version;
        new_item.priority := live_priority;
        return query select s.item, s.changed, inserted and not p_shadow from triage_save_item(old_item, new_item, p_now) s;
      end $$;`);

    // Writes new_item over old_item; updated_at moves only when what a worklist reader sees changed.
    this.addSql(`create function triage_save_item(old_item worklist_item, new_item worklist_item, p_now timestamptz)
      returns table (item worklist_item, changed boolean)
      language plpgsql volatile as $$
      declare
        visible_change boolean := (old_item.status, old_item.priority, old_item.risk, old_item.model_version)
          is distinct from (new_item.status, new_item.priority, new_item.risk, new_item.model_version);
      begin
        if visible_change then
          new_item.updated_at := p_now;
        end if;
        if new_item is distinct from old_item then
          update worklist_item w set
              status = new_item.status, priority = new_item.priority, risk = new_item.risk,
              model_version = new_item.model_version, received_at = new_item.received_at, updated_at = new_item.updated_at
            where w.hospital_id = old_item.hospital_id and w.study_id = old_item.study_id;
        end if;
        return query select new_item, visible_change;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop function if exists triage_apply_prediction_created(uuid, text, text, text, double precision, text, double precision, boolean, double precision, double precision, double precision, timestamptz, timestamptz);');
    this.addSql('drop function if exists triage_apply_study_reviewed(text, text, timestamptz, timestamptz);');
    this.addSql('drop function if exists triage_apply_study_created(text, text, text, timestamptz, timestamptz);');
    this.addSql('drop function if exists triage_save_item(worklist_item, worklist_item, timestamptz);');
    this.addSql('drop function if exists triage_lock_study(text, text);');
    this.addSql('drop function if exists triage_advance_status(text, text);');
    this.addSql('drop function if exists triage_status_rank(text);');
  }
}
