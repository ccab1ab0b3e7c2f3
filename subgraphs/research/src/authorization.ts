import { forbidden, hasRole, unauthenticated, type Principal, type Role } from '@triage/auth';
import { defaultFieldResolver, type GraphQLSchema } from 'graphql';

/** Platform roles that may use the research service. Hospital (clinical) roles grant nothing here. */
export const RESEARCH_ROLES: readonly Role[] = ['researcher', 'admin'];

/**
 * The research subgraph authorizes on its own and never trusts the gateway: only researchers and
 * admins see anything, whatever hospital memberships a caller has.
 */
export function requireResearcher(principal: Principal | null): Principal {
  if (!principal) throw unauthenticated();
  if (!hasRole(principal, RESEARCH_ROLES)) throw forbidden('The research service is only available to researchers and admins');
  return principal;
}

/**
 * Wraps every root field (Query and Mutation, including the federation `_service` field) in the
 * role check, so a new field cannot be added without it. Nested fields are reachable only
 * through a root field.
 */
export function protectRootFields(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: { principal: Principal | null }, info) => {
        requireResearcher(context.principal);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}
