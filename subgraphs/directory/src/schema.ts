import 'reflect-metadata';
import { buildFederatedSchema } from '@triage/federation';
import type { GraphQLSchema } from 'graphql';
import { AuthResolver } from './auth/auth.resolver.js';
import { hospitalReferenceResolvers } from './hospital/hospital.reference.js';
import { HospitalResolver } from './hospital/hospital.resolver.js';
import { ServiceCredentialResolver } from './service-credential/service-credential.resolver.js';
import { MeResolver } from './user/me.resolver.js';
import { UserResolver } from './user/user.resolver.js';

export function buildDirectorySchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema(
    { resolvers: [AuthResolver, MeResolver, HospitalResolver, UserResolver, ServiceCredentialResolver] },
    hospitalReferenceResolvers,
  );
}
