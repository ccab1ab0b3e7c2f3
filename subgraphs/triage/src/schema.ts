import 'reflect-metadata';
import { buildFederatedSchema } from '@triage/federation';
import type { GraphQLSchema } from 'graphql';
import { Hospital } from './hospital/hospital.type.js';
import { StudyResolver } from './study/study.resolver.js';
import { studyReferenceResolvers } from './study/study.reference.js';
import { gatewayServedPubSub, WorklistFeedResolver } from './worklist-item/worklist-feed.resolver.js';
import { WorklistItemResolver, WorklistResolver } from './worklist-item/worklist.resolver.js';

export function buildTriageSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema(
    {
      resolvers: [WorklistResolver, WorklistItemResolver, WorklistFeedResolver, StudyResolver],
      orphanedTypes: [Hospital],
      pubSub: gatewayServedPubSub,
    },
    studyReferenceResolvers,
  );
}
