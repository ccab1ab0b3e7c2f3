import type { Principal } from '@triage/auth';

export interface GatewayContext extends Record<string, unknown> {
  requestId: string;
  principal: Principal | null;
}
