import {
  RemoteGraphQLDataSource,
  type GraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Histogram } from 'prom-client';
import type { GatewayContext } from '../context.js';
import { AuthenticatedDataSource } from '../subgraph-data-source.js';
import type { HospitalRegistry } from './hospital-registry.js';
import {
  groupRepresentationsByHospital,
  isEntitiesFetch,
  RoutingError,
  splitRootFieldsByHospital,
  type SubgraphRequest,
} from './split-operation.js';

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;

/**
 * The data source of the one logical `hospital` subgraph. Every fetch is routed to the instance
 * of the hospital it names: `_entities` fetches are split by the representations' hospitalId
 * and reassembled in the planner's order; root fields go to the hospital in their argument.
 * Fetches to different hospitals run in parallel (mutations in order, as GraphQL requires).
 */
export class HospitalRoutingDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly sources = new Map<string, RemoteGraphQLDataSource<GatewayContext>>();

  constructor(
    private readonly registry: HospitalRegistry,
    private readonly fetchDuration?: Histogram<'subgraph' | 'hospital'>,
  ) {}

  async process(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    const request = options.request as SubgraphRequest;
    try {
      return isEntitiesFetch(request)
        ? await this.processEntities(options, request)
        : await this.processRootFields(options, request);
    } catch (error) {
      if (error instanceof RoutingError) {
        return { errors: [{ message: error.message, extensions: { code: 'BAD_USER_INPUT' } }] };
      }
      throw error;
    }
  }

  private async processEntities(options: ProcessOptions, request: SubgraphRequest): Promise<GatewayGraphQLResponse> {
    const representations = request.variables.representations as Record<string, unknown>[];
    const groups = groupRepresentationsByHospital(representations);
    const entities: unknown[] = new Array(representations.length).fill(null);
    const errors: GraphQLFormattedError[] = [];

    await Promise.all(
      [...groups.entries()].map(async ([hospitalId, group]) => {
        const response = await this.send(options, hospitalId, {
          ...request,
          variables: { ...request.variables, representations: group.representations },
        });
        const answered = (response.data?._entities as unknown[] | undefined) ?? [];
        group.indexes.forEach((original, i) => (entities[original] = answered[i] ?? null));
        for (const error of response.errors ?? []) {
          // Point entity errors at the representation's position in the original fetch.
          const [head, index, ...rest] = error.path ?? [];
          errors.push(
            head === '_entities' && typeof index === 'number'
              ? { ...error, path: ['_entities', group.indexes[index] ?? index, ...rest] }
              : error,
          );
        }
      }),
    );
    return { data: { _entities: entities }, ...(errors.length ? { errors } : {}) };
  }

  private async processRootFields(options: ProcessOptions, request: SubgraphRequest): Promise<GatewayGraphQLResponse> {
    const fetches = splitRootFieldsByHospital(request);
    if (fetches.length === 1) return this.send(options, fetches[0]!.hospitalId, request);

    const isMutation = /^\s*mutation\b/.test(request.query);
    const responses: GatewayGraphQLResponse[] = [];
    if (isMutation) {
      for (const f of fetches) responses.push(await this.send(options, f.hospitalId, f.request));
    } else {
      responses.push(...(await Promise.all(fetches.map((f) => this.send(options, f.hospitalId, f.request)))));
    }
    const data: Record<string, unknown> = {};
    const errors: GraphQLFormattedError[] = [];
    for (const response of responses) {
      Object.assign(data, response.data ?? {});
      errors.push(...(response.errors ?? []));
    }
    return { data, ...(errors.length ? { errors } : {}) };
  }

  private async send(options: ProcessOptions, hospitalId: string, request: SubgraphRequest): Promise<GatewayGraphQLResponse> {
    const route = this.registry.get(hospitalId);
    if (!route) {
      return { errors: [{ message: `Unknown hospital "${hospitalId}"`, extensions: { code: 'NOT_FOUND' } }] };
    }
    let source = this.sources.get(route.subgraphUrl);
    if (!source) {
      source = new AuthenticatedDataSource({ url: route.subgraphUrl });
      this.sources.set(route.subgraphUrl, source);
    }
    const end = this.fetchDuration?.startTimer({ subgraph: 'hospital', hospital: route.slug });
    try {
      // A shallow copy per hospital: the data source writes its own `http` onto the request.
      return await source.process({ ...options, request: { ...options.request, ...request, http: undefined } } as ProcessOptions);
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code) {
        return { errors: [{ message: error.message, extensions: { code: error.extensions.code } }] };
      }
      const message = `Hospital "${route.name}" is unavailable`;
      return { errors: [new GraphQLError(message, { extensions: { code: 'SUBGRAPH_UNAVAILABLE', hospitalId } }).toJSON()] };
    } finally {
      end?.();
    }
  }
}
