import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '@triage/auth';
import { conflict, uniqueOrConflict } from '../errors.js';
import { isUuid, requireHttpUrl, requireSlug, requireText } from '../validation.js';
import { Hospital } from './hospital.entity.js';
import type { HospitalPublisher } from './hospital.publisher.js';

export interface HospitalFields {
  slug: string;
  name: string;
  subgraphUrl: string;
}

export class HospitalService {
  constructor(
    private readonly em: EntityManager,
    private readonly publisher: HospitalPublisher | null,
  ) {}

  list(): Promise<Hospital[]> {
    return this.em.find(Hospital, {}, { orderBy: { name: 'asc', slug: 'asc' } });
  }

  async byId(id: string): Promise<Hospital | null> {
    return isUuid(id) ? this.em.findOne(Hospital, { id }) : null;
  }

  async byIds(ids: readonly string[]): Promise<(Hospital | null)[]> {
    const valid = ids.filter(isUuid);
    const found = valid.length ? await this.em.find(Hospital, { id: { $in: valid } }) : [];
    const byId = new Map(found.map((h) => [h.id, h]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async create(input: HospitalFields): Promise<Hospital> {
    const slug = requireSlug(input.slug);
    const name = requireText('name', input.name);
    const subgraphUrl = requireHttpUrl('subgraphUrl', input.subgraphUrl);
    if (await this.em.count(Hospital, { slug })) throw conflict(`A hospital with slug "${slug}" already exists`);
    const hospital = this.em.create(Hospital, { slug, name, subgraphUrl, createdAt: new Date() });
    await uniqueOrConflict(`A hospital with slug "${slug}" already exists`, () => this.em.flush());
    await this.publisher?.publish();
    return hospital;
  }

  async update(id: string, input: { name?: string | null; subgraphUrl?: string | null }): Promise<Hospital> {
    const hospital = await this.byId(id);
    if (!hospital) throw notFound(`Hospital ${id} not found`);
    if (input.name != null) hospital.name = requireText('name', input.name);
    if (input.subgraphUrl != null) hospital.subgraphUrl = requireHttpUrl('subgraphUrl', input.subgraphUrl);
    await this.em.flush();
    await this.publisher?.publish();
    return hospital;
  }
}
