import { GraphQLError } from 'graphql';
import { Args, Resolver, Root, Subscription } from 'type-graphql';
import type { PubSub } from 'type-graphql';
import { StudyUpdatedArgs, TriageFeedArgs, WorklistEvent } from './worklist-event.type.js';

/**
 * The live feed is declared here so it is part of the one supergraph schema (introspection,
 * codegen and validation see it), but it is served by the gateway: the gateway reads the triage
 * stream and resolves each event's selection through the federated executor. A subscription sent
 * straight to this subgraph is refused.
 */
function servedByTheGateway(): never {
  throw new GraphQLError('Subscriptions are served by the gateway', { extensions: { code: 'BAD_REQUEST' } });
}

/** type-graphql insists on a PubSub when a schema has subscriptions; this one is never used. */
export const gatewayServedPubSub: PubSub = {
  publish: () => undefined,
  subscribe: servedByTheGateway,
};

@Resolver(() => WorklistEvent)
export class WorklistFeedResolver {
  @Subscription(() => WorklistEvent, {
    description: "Worklist items of the caller's hospitals as they appear and change (new and updated items)",
    subscribe: servedByTheGateway,
  })
  triageFeed(
    @Root() event: WorklistEvent | undefined,
    @Args(() => TriageFeedArgs) _args: TriageFeedArgs,
  ): WorklistEvent {
    // Executed as a plain operation over HTTP there is no event at all.
    return event ?? servedByTheGateway();
  }

  @Subscription(() => WorklistEvent, {
    description: "Every change of one study's worklist item",
    subscribe: servedByTheGateway,
  })
  studyUpdated(
    @Root() event: WorklistEvent | undefined,
    @Args(() => StudyUpdatedArgs) _args: StudyUpdatedArgs,
  ): WorklistEvent {
    return event ?? servedByTheGateway();
  }
}
