import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export const DATASET_FORMATS = ['npz', 'zip'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export const DatasetExportFormatEnum = { NPZ: 'npz', ZIP: 'zip' } as const satisfies Record<string, DatasetFormat>;
registerEnumType(DatasetExportFormatEnum, {
  name: 'DatasetExportFormat',
  valuesConfig: {
    NPZ: { description: 'PneumoniaMNIST .npz: {train,val,test}_images (N, S, S) uint8 and {train,val,test}_labels (N, 1) uint8' },
    ZIP: { description: 'Zip of PNG images (images/<split>/<exampleId>.png) and manifest.csv' },
  },
});

@ObjectType('DatasetLabelCounts')
export class DatasetLabelCounts {
  @Field(() => Int, { description: 'Label 1' })
  pneumonia!: number;

  @Field(() => Int, { description: 'Label 0' })
  normal!: number;
}

@ObjectType('DatasetSplitCounts', {
  description: 'Deterministic split per patient, by a hash of hospital and pseudonym (about 80 / 10 / 10): no patient is on both sides',
})
export class DatasetSplitCounts {
  @Field(() => Int)
  train!: number;

  @Field(() => Int)
  val!: number;

  @Field(() => Int)
  test!: number;
}

@ObjectType('DatasetExport')
export class DatasetExport {
  @Field(() => DatasetExportFormatEnum)
  format!: DatasetFormat;

  @Field(() => String, { description: 'Object key in the research Object Store bucket' })
  objectKey!: string;

  @Field(() => String)
  sha256!: string;

  @Field(() => Float)
  bytes!: number;

  @Field(() => String, { description: 'GET with a researcher bearer token to download (path on the research service)' })
  downloadPath!: string;
}

/**
 * A frozen, versioned snapshot of the labelled examples (finding PNEUMONIA or NORMAL). The content
 * hash covers the example ids, image hashes and labels; the exports are stored under it, so two
 * versions with the same content share their files.
 */
@Entity({ tableName: 'dataset' })
@Unique({ name: 'dataset_version_unique', properties: ['version'] })
@ObjectType('Dataset', { description: 'A frozen, versioned training snapshot of labelled examples' })
export class Dataset {
  [OptionalProps]?: 'id' | 'labelCounts' | 'splitCounts' | 'exports';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => Int, { description: 'Monotonic: 1, 2, 3, ...' })
  @Property({ type: 'integer' })
  version!: number;

  @Field(() => String, { nullable: true, description: "The researcher's name for this snapshot" })
  @Property({ type: 'text', nullable: true })
  name: string | null = null;

  @Field(() => String, { description: 'SHA-256 over the sorted (example id, image SHA-256, label) lines' })
  @Property({ type: 'text' })
  contentHash!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  exampleCount!: number;

  @Property({ type: 'integer' })
  pneumoniaCount!: number;

  @Property({ type: 'integer' })
  normalCount!: number;

  @Property({ type: 'integer' })
  trainCount!: number;

  @Property({ type: 'integer' })
  valCount!: number;

  @Property({ type: 'integer' })
  testCount!: number;

  @Field(() => Int, { description: 'Examples left out because their image was missing, corrupt or undecodable' })
  @Property({ type: 'integer' })
  skippedCount!: number;

  @Field(() => Int, { description: 'Side of the square images in the exports' })
  @Property({ type: 'integer' })
  imageSize!: number;

  @Property({ type: 'text' })
  npzObject!: string;

  @Property({ type: 'text' })
  npzSha256!: string;

  @Property({ type: new BigIntType('number') })
  npzBytes!: number;

  @Property({ type: 'text' })
  zipObject!: string;

  @Property({ type: 'text' })
  zipSha256!: string;

  @Property({ type: new BigIntType('number') })
  zipBytes!: number;

  @Field(() => Date)
  @Property({ type: 'datetime', length: 3 })
  createdAt!: Date;

  @Field(() => String, { description: 'Subject of the researcher who froze it' })
  @Property({ type: 'text' })
  createdBy!: string;

  @Field(() => DatasetLabelCounts)
  get labelCounts(): DatasetLabelCounts {
    return { pneumonia: this.pneumoniaCount, normal: this.normalCount };
  }

  @Field(() => DatasetSplitCounts)
  get splitCounts(): DatasetSplitCounts {
    return { train: this.trainCount, val: this.valCount, test: this.testCount };
  }

  @Field(() => [DatasetExport])
  get exports(): DatasetExport[] {
    return [
      { format: 'npz', objectKey: this.npzObject, sha256: this.npzSha256, bytes: this.npzBytes, downloadPath: datasetDownloadPath(this.id, 'npz') },
      { format: 'zip', objectKey: this.zipObject, sha256: this.zipSha256, bytes: this.zipBytes, downloadPath: datasetDownloadPath(this.id, 'zip') },
    ];
  }
}

export const datasetDownloadPath = (id: string, format: DatasetFormat) => `/datasets/${id}/${format}`;
