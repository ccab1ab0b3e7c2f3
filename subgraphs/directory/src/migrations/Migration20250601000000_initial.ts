import { Migration } from '@mikro-orm/migrations';

/** Hospitals, users, memberships, service credentials and token signing keys. */
export class Migration20250601000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "hospital" ("id" uuid not null, "slug" text not null, "name" text not null, "subgraph_url" text not null, "created_at" timestamptz not null, constraint "hospital_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "hospital" add constraint "hospital_slug_unique" unique ("slug");`);

    this.addSql(
      `create table "app_user" ("id" uuid not null, "email" text not null, "display_name" text not null, "password_hash" text not null, "roles" text[] not null, "created_at" timestamptz not null, "disabled_at" timestamptz null, constraint "app_user_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);

    this.addSql(
      `create table "membership" ("id" uuid not null, "user_id" uuid not null, "hospital_id" uuid not null, "role" text check ("role" in ('technician', 'doctor', 'integration')) not null, "created_at" timestamptz not null, constraint "membership_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "membership_hospital_id_index" on "membership" ("hospital_id");`);
    this.addSql(
      `alter table "membership" add constraint "membership_user_id_hospital_id_role_unique" unique ("user_id", "hospital_id", "role");`,
    );
    this.addSql(
      `alter table "membership" add constraint "membership_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "membership" add constraint "membership_hospital_id_foreign" foreign key ("hospital_id") references "hospital" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `create table "service_credential" ("id" uuid not null, "hospital_id" uuid not null, "name" text not null, "key_prefix" text not null, "key_hash" text not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "service_credential_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "service_credential_hospital_id_index" on "service_credential" ("hospital_id");`);
    this.addSql(
      `alter table "service_credential" add constraint "service_credential_key_prefix_unique" unique ("key_prefix");`,
    );
    this.addSql(
      `alter table "service_credential" add constraint "service_credential_hospital_id_foreign" foreign key ("hospital_id") references "hospital" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `create table "signing_key" ("kid" text not null, "alg" text not null default 'ES256', "private_jwk" jsonb not null, "public_jwk" jsonb not null, "created_at" timestamptz not null, constraint "signing_key_pkey" primary key ("kid"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "signing_key" cascade;`);
    this.addSql(`drop table if exists "service_credential" cascade;`);
    this.addSql(`drop table if exists "membership" cascade;`);
    this.addSql(`drop table if exists "app_user" cascade;`);
    this.addSql(`drop table if exists "hospital" cascade;`);
  }
}
