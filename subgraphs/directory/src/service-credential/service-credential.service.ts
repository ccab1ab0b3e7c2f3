import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound, unauthenticated } from '@triage/auth';
import { Hospital } from '../hospital/hospital.entity.js';
import { isUuid, requireText } from '../validation.js';
import { apiKeyMatches, apiKeyPrefix, generateApiKey } from './api-key.js';
import { ServiceCredential } from './service-credential.entity.js';

export const INVALID_API_KEY = 'Invalid API key';

export class ServiceCredentialService {
  constructor(private readonly em: EntityManager) {}

  async list(hospitalId?: string | null): Promise<ServiceCredential[]> {
    if (hospitalId != null && !isUuid(hospitalId)) return [];
    return this.em.find(
      ServiceCredential,
      hospitalId != null ? { hospital: hospitalId } : {},
      { populate: ['hospital'], orderBy: { createdAt: 'asc' } },
    );
  }

  async create(hospitalId: string, name: string): Promise<{ credential: ServiceCredential; apiKey: string }> {
    const hospital = isUuid(hospitalId) ? await this.em.findOne(Hospital, { id: hospitalId }) : null;
    if (!hospital) throw notFound(`Hospital ${hospitalId} not found`);
    const { apiKey, prefix, hash } = generateApiKey();
    const credential = this.em.create(ServiceCredential, {
      hospital,
      name: requireText('name', name),
      keyPrefix: prefix,
      keyHash: hash,
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
    });
    await this.em.flush();
    return { credential, apiKey };
  }

  async revoke(id: string): Promise<ServiceCredential> {
    const credential = isUuid(id) ? await this.em.findOne(ServiceCredential, { id }, { populate: ['hospital'] }) : null;
    if (!credential) throw notFound(`Service credential ${id} not found`);
    credential.revokedAt ??= new Date();
    await this.em.flush();
    return credential;
  }

  /** The active credential an API key proves, or UNAUTHENTICATED (same message for every failure). */
  async authenticate(apiKey: string): Promise<ServiceCredential> {
    const prefix = apiKeyPrefix(apiKey);
    const credential = prefix
      ? await this.em.findOne(ServiceCredential, { keyPrefix: prefix }, { populate: ['hospital'] })
      : null;
    if (!credential || credential.revokedAt || !apiKeyMatches(apiKey, credential.keyHash)) {
      throw unauthenticated(INVALID_API_KEY);
    }
    credential.lastUsedAt = new Date();
    await this.em.flush();
    return credential;
  }
}
