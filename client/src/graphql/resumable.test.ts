/**
 * The resume-after-a-drop behaviour against a real graphql-ws server (over `ws`, as Node 20 has
 * no WebSocket): the server replays events after the `after` cursor the client sends.
 */
import { EventEmitter, on, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { GraphQLID, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { resumablePayload, subscribeResumable } from './resumable';

interface FeedEvent {
  cursor: string;
  id: string;
}

async function feedServer() {
  const log: FeedEvent[] = [];
  const bus = new EventEmitter();
  const subscribedAfter: (string | null)[] = [];
  const Event = new GraphQLObjectType({
    name: 'WorklistEvent',
    fields: { cursor: { type: new GraphQLNonNull(GraphQLString) }, id: { type: new GraphQLNonNull(GraphQLID) } },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        triageFeed: {
          type: new GraphQLNonNull(Event),
          args: { after: { type: GraphQLString }, hospitalIds: { type: new GraphQLList(new GraphQLNonNull(GraphQLID)) } },
          subscribe: async function* (_root, args: { after?: string | null }) {
            subscribedAfter.push(args.after ?? null);
            const live = on(bus, 'event');
            // Replay what the client missed, then go live (cursors are sequence numbers).
            const after = args.after == null ? log.length : Number(args.after);
            for (const event of log.slice(after)) yield { triageFeed: event };
            for await (const [event] of live) yield { triageFeed: event as FeedEvent };
          },
        },
      },
    }),
  });
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const server = useServer({ schema }, wss);
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/graphql`,
    subscribedAfter,
    publish(id: string) {
      const event = { cursor: String(log.length + 1), id };
      log.push(event);
      bus.emit('event', event);
    },
    dropAllConnections() {
      for (const socket of wss.clients) socket.terminate();
    },
    async close() {
      await server.dispose();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const QUERY = 'subscription ($hospitalIds: [ID!], $after: String) { triageFeed(hospitalIds: $hospitalIds, after: $after) { cursor id } }';
type Data = { triageFeed: FeedEvent };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('resumable subscriptions', () => {
  it('puts the latest cursor into every (re)subscribe payload', () => {
    let cursor: string | null = null;
    const payload = resumablePayload(QUERY, { hospitalIds: ['h1'] }, () => cursor);
    expect(JSON.parse(JSON.stringify(payload)).variables).toEqual({ hospitalIds: ['h1'] });
    cursor = '42';
    expect(JSON.parse(JSON.stringify(payload)).variables).toEqual({ hospitalIds: ['h1'], after: '42' });
  });

  it('gets every event missed during a network drop, once, by resuming after the last cursor', async () => {
    const server = await feedServer();
    cleanups.push(() => server.close());
    const client: Client = createClient({
      url: server.url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 50)),
    });
    cleanups.push(() => client.dispose());

    const received: string[] = [];
    const subscription = subscribeResumable<Data, { hospitalIds: string[] }>(
      client,
      { query: QUERY, variables: { hospitalIds: ['h1'] }, cursorOf: (data) => data.triageFeed.cursor },
      { next: (data) => received.push(data.triageFeed.id), error: (error) => received.push(`error: ${String(error)}`) },
    );
    cleanups.push(() => subscription.dispose());

    await until(() => server.subscribedAfter.length === 1);
    server.publish('a');
    server.publish('b');
    await until(() => received.length === 2);
    expect(subscription.lastCursor()).toBe('2');

    server.dropAllConnections();
    server.publish('c'); // while the doctor is offline
    server.publish('d');
    await until(() => received.length >= 4);
    server.publish('e');
    await until(() => received.length >= 5);

    expect(received).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(server.subscribedAfter).toEqual([null, '2']);
  });
});
