import 'reflect-metadata';
import { buildFederatedSchema } from '@triage/federation';
import type { GraphQLSchema } from 'graphql';
import { AgreementResolver } from './agreement/agreement.resolver.js';
import { protectRootFields } from './authorization.js';
import { DatasetResolver } from './dataset/dataset.resolver.js';
import { LabeledExampleResolver } from './labeled-example/labeled-example.resolver.js';
import { ModelCardMetricsResolver, ModelInputSpecResolver, ModelVersionResolver } from './model-version/model-version.resolver.js';
import { ResearchSummaryResolver } from './summary/research-summary.resolver.js';

/**
 * The research subgraph: de-identified examples, datasets and the model registry. It defines no
 * entity keys and references no other subgraph's types, so nothing of a hospital is reachable
 * from here; every root field requires the researcher or admin platform role.
 */
export async function buildResearchSchema(): Promise<GraphQLSchema> {
  return protectRootFields(
    await buildFederatedSchema({
      resolvers: [
        ResearchSummaryResolver,
        AgreementResolver,
        LabeledExampleResolver,
        DatasetResolver,
        ModelVersionResolver,
        ModelCardMetricsResolver,
        ModelInputSpecResolver,
      ],
    }),
  );
}
