import { Migration } from '@mikro-orm/migrations';

/** Where the de-identified DICOM copy of an example is, when the hospital's original was DICOM. */
export class Migration20261212000000_example_dicom extends Migration {
  override up(): void {
    this.addSql(`alter table "labeled_example" add column "dicom_key" text null, add column "dicom_sha256" text null;`);
  }

  override down(): void {
    this.addSql(`alter table "labeled_example" drop column "dicom_key", drop column "dicom_sha256";`);
  }
}
