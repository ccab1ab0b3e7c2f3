import 'reflect-metadata';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives, type IResolvers } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import merge from 'lodash.merge';
import { buildSchema, createResolversMap, type BuildSchemaOptions } from 'type-graphql';

export const FEDERATION_LINK = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible"])`;

/**
 * Turns a type-graphql schema into an Apollo Federation 2 subgraph: the type-graphql schema is
 * printed with its directives, prefixed with the federation @link, and rebuilt by
 * `buildSubgraphSchema` with type-graphql's resolvers plus the `__resolveReference` resolvers.
 */
export async function buildFederatedSchema(
  options: Omit<BuildSchemaOptions, 'skipCheck'>,
  referenceResolvers: IResolvers = {},
): Promise<GraphQLSchema> {
  const schema = await buildSchema({ ...options, skipCheck: true });
  return buildSubgraphSchema({
    typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`),
    resolvers: merge(createResolversMap(schema), referenceResolvers) as never,
  });
}

/** The SDL a subgraph contributes to the supergraph, as committed in its `schema.graphql`. */
export function printSubgraphSdl(schema: GraphQLSchema): string {
  return `${printSubgraphSchema(schema).trim()}\n`;
}
