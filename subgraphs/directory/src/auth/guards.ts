import { forbidden, unauthenticated, type Principal } from '@triage/auth';
import type { RequestContext } from '@triage/service-common';

/** Login and key exchange are anonymous; everything else needs a verified token. */
export function requirePrincipal(ctx: Pick<RequestContext, 'principal'>): Principal {
  if (!ctx.principal) throw unauthenticated();
  return ctx.principal;
}

export function isAdmin(principal: Principal | null): boolean {
  return principal?.kind === 'user' && principal.roles.includes('admin');
}

export function requireAdmin(ctx: Pick<RequestContext, 'principal'>): Principal {
  const principal = requirePrincipal(ctx);
  if (!isAdmin(principal)) throw forbidden('Only administrators may do this');
  return principal;
}
