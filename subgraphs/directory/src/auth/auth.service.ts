import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated, type Principal } from '@triage/auth';
import { Membership } from '../membership/membership.entity.js';
import { ServiceCredentialService } from '../service-credential/service-credential.service.js';
import { Me } from '../user/me.type.js';
import { verifyPassword } from '../user/password.js';
import { User } from '../user/user.entity.js';
import { isUuid, normalizeEmail } from '../validation.js';
import type { AuthPayload } from './auth.types.js';
import type { TokenIssuer } from './token-issuer.js';

export const INVALID_LOGIN = 'Invalid email or password';

export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly tokens: TokenIssuer,
  ) {}

  /** Unknown email, wrong password and disabled account all answer alike, in about the same time. */
  async login(email: string, password: string): Promise<AuthPayload> {
    const user = await this.em.findOne(User, { email: normalizeEmail(email) });
    const valid = await verifyPassword(user?.passwordHash ?? null, password);
    if (!user || !valid || user.disabledAt) throw unauthenticated(INVALID_LOGIN);
    const memberships = await this.em.find(Membership, { user: user.id }, { orderBy: { createdAt: 'asc' } });
    const issued = await this.tokens.issue({
      sub: user.id,
      kind: 'user',
      roles: user.roles,
      memberships: memberships.map((m) => ({ hospitalId: m.hospital.id, role: m.role })),
    });
    return { ...issued, user: Me.from(user) };
  }

  /** A service token scoped to the credential's hospital with the integration role. */
  async exchangeApiKey(apiKey: string): Promise<AuthPayload> {
    const credential = await new ServiceCredentialService(this.em).authenticate(apiKey);
    const issued = await this.tokens.issue({
      sub: `svc:${credential.id}`,
      kind: 'service',
      roles: [],
      memberships: [{ hospitalId: credential.hospital.id, role: 'integration' }],
    });
    return { ...issued, user: null };
  }

  /** The caller's account; null for service principals and subjects this directory does not know. */
  async me(principal: Principal): Promise<Me | null> {
    if (principal.kind !== 'user' || !isUuid(principal.subject)) return null;
    const user = await this.em.findOne(User, { id: principal.subject, disabledAt: null });
    return user ? Me.from(user) : null;
  }
}
