import { ArgsType, Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

export const AGREEMENT_BUCKETS = ['DAY', 'WEEK'] as const;
export type AgreementBucket = (typeof AGREEMENT_BUCKETS)[number];
export const AgreementBucketEnum = { DAY: 'DAY', WEEK: 'WEEK' } as const satisfies Record<AgreementBucket, AgreementBucket>;
registerEnumType(AgreementBucketEnum, {
  name: 'AgreementBucket',
  description: 'Time buckets (UTC) of the agreement series; WEEK starts on Monday',
});

@ArgsType()
export class ModelAgreementArgs {
  @Field(() => String, { nullable: true, description: 'Defaults to every model version' })
  modelVersion?: string | null;

  @Field(() => AgreementBucketEnum, { nullable: true, description: 'Omit for one point per version over all time' })
  bucket?: AgreementBucket | null;
}

@ObjectType('AgreementPoint', {
  description:
    "How a model version agreed with doctors' findings in one time bucket, by when the finding was recorded. PNEUMONIA findings are positives, NORMAL negatives, UNCERTAIN ones are left out.",
})
export class AgreementPoint {
  @Field(() => String)
  modelVersion!: string;

  @Field(() => Date, { nullable: true, description: 'Start of the bucket (UTC); null without a bucket' })
  bucketStart!: Date | null;

  @Field(() => Int, { description: 'Examples with a finding and a prediction of this version' })
  n!: number;

  @Field(() => Int)
  positives!: number;

  @Field(() => Int)
  negatives!: number;

  @Field(() => Float, { nullable: true, description: 'ROC AUC of the model risk against the findings; null unless both classes occur' })
  auc!: number | null;

  @Field(() => Float, { nullable: true, description: "TP / (TP + FN) of the model's label; null without positives" })
  sensitivity!: number | null;

  @Field(() => Float, { nullable: true, description: "TN / (TN + FP) of the model's label; null without negatives" })
  specificity!: number | null;

  @Field(() => Float, { nullable: true })
  accuracy!: number | null;
}
