import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm, RequestContext } from '@triage/service-common';
import DataLoader from 'dataloader';
import { AuthService } from './auth/auth.service.js';
import type { TokenIssuer } from './auth/token-issuer.js';
import type { Hospital } from './hospital/hospital.entity.js';
import type { HospitalPublisher } from './hospital/hospital.publisher.js';
import { HospitalService } from './hospital/hospital.service.js';
import type { Membership } from './membership/membership.entity.js';
import { ServiceCredentialService } from './service-credential/service-credential.service.js';
import { UserService } from './user/user.service.js';

export interface DirectoryContext extends RequestContext {
  em: EntityManager;
  hospitals: HospitalService;
  users: UserService;
  credentials: ServiceCredentialService;
  auth: AuthService;
  loaders: {
    hospitalById: DataLoader<string, Hospital | null>;
    membershipsByUser: DataLoader<string, Membership[]>;
  };
}

export interface ContextDeps {
  orm: Orm;
  tokens: TokenIssuer;
  publisher: HospitalPublisher | null;
}

/** One forked EntityManager, services and loaders per request. */
export function createContextFactory(deps: ContextDeps) {
  const { orm, tokens } = deps;
  return (base: RequestContext): DirectoryContext => {
    const em = orm.em.fork() as EntityManager;
    // Read per request: the publisher exists once start() has opened the KV bucket.
    const hospitals = new HospitalService(em, deps.publisher);
    const users = new UserService(em);
    return {
      ...base,
      em,
      hospitals,
      users,
      credentials: new ServiceCredentialService(em),
      auth: new AuthService(em, tokens),
      loaders: {
        hospitalById: new DataLoader((ids) => hospitals.byIds(ids)),
        membershipsByUser: new DataLoader((ids) => users.membershipsOf(ids)),
      },
    };
  };
}
