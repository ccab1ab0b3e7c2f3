import 'reflect-metadata';
import { buildFederatedSchema } from '@triage/federation';
import type { GraphQLSchema } from 'graphql';
import { hospitalAccessGuard } from './auth/hospital-policy.js';
import { PatientResolver } from './patient/patient.resolver.js';
import { resolvePatientReference } from './patient/patient.reference.js';
import { ReviewResolver } from './review/review.resolver.js';
import { StudyResolver } from './study/study.resolver.js';
import { resolveStudyReference } from './study/study.reference.js';
import { StudyUploadResolver } from './upload/study-upload.resolver.js';

/** The hospital subgraph schema. Needs no configuration: everything per-instance comes from the context. */
export function buildHospitalSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema(
    {
      resolvers: [PatientResolver, StudyResolver, StudyUploadResolver, ReviewResolver],
      globalMiddlewares: [hospitalAccessGuard],
      validate: false,
    },
    {
      Patient: { __resolveReference: resolvePatientReference },
      Study: { __resolveReference: resolveStudyReference },
    },
  );
}
