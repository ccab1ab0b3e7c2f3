import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Study } from '../study/study.entity.js';

/** Study attributes an upload may take from the DICOM header because its creator did not give them. */
export const HEADER_FILLABLE = ['patient', 'accessionNumber', 'modality', 'bodyPart', 'acquiredAt'] as const;
export type HeaderFillable = (typeof HEADER_FILLABLE)[number];

/**
 * A signed upload URL: its random token is the credential of the PUT, so only its SHA-256 is
 * stored (a leaked database row cannot be replayed). Valid until `expiresAt`; after the first
 * stored image (`usedAt`) it still accepts retries of the same bytes until then.
 */
@Entity({ tableName: 'study_upload' })
export class StudyUpload {
  [OptionalProps]?: 'id' | 'usedAt' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  @Unique({ name: 'study_upload_token_hash_unique' })
  tokenHash!: string;

  @ManyToOne({ entity: () => Study, deleteRule: 'cascade', index: 'study_upload_study_id_idx' })
  study!: Study;

  /** What the DICOM header may fill in (HEADER_FILLABLE); JPEG and PNG carry no header. */
  @Property({ type: 'jsonb' })
  fillFromHeader!: HeaderFillable[];

  /** Subject of the token that asked for the URL (audit). */
  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  usedAt: Date | null = null;

  @Property({ type: 'datetime', onCreate: () => new Date() })
  createdAt: Date = new Date();
}
