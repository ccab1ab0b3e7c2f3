import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '@triage/service-common';
import type { DatasetService } from './dataset/dataset.service.js';
import type { ModelRegistryService } from './model-version/model-registry.service.js';

export interface ResearchServices {
  datasets: DatasetService;
  registry: ModelRegistryService;
}

export interface ResearchContext extends RequestContext, ResearchServices {
  em: EntityManager;
}

export function createContext(rootEm: EntityManager, services: ResearchServices) {
  return (base: RequestContext): ResearchContext => ({ ...base, ...services, em: rootEm.fork() });
}
