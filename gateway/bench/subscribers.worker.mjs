// The benchmark's subscribers, on their own thread: their message handling must not delay the
// platform services the main thread hosts (a real triage instance has its own process).
// Plain JavaScript: worker threads do not inherit tsx's loader.
import { parentPort, workerData } from 'node:worker_threads';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** @type {{ url: string, query: string, variables: Record<string, unknown>, tokens: string[] }} */
const setup = workerData;
/** committedAt is the item's updatedAt: when triage committed the change. */
const deliveries = { studyIds: [], receivedAt: [], committedAt: [], errors: 0 };
const clients = [];

for (const token of setup.tokens) {
  const client = createClient({
    url: setup.url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  client.subscribe(
    { query: setup.query, variables: setup.variables },
    {
      next: (result) => {
        const at = Date.now();
        if (result.errors?.length || !result.data) {
          deliveries.errors += 1;
          return;
        }
        deliveries.studyIds.push(result.data.triageFeed.item.study.id);
        deliveries.receivedAt.push(at);
        deliveries.committedAt.push(Date.parse(result.data.triageFeed.item.updatedAt));
      },
      error: () => void (deliveries.errors += 1),
      complete: () => undefined,
    },
  );
  clients.push(client);
}

parentPort.on('message', async (message) => {
  if (message.type === 'count') {
    parentPort.postMessage({ type: 'count', received: deliveries.studyIds.length + deliveries.errors });
    return;
  }
  parentPort.postMessage({ type: 'results', deliveries });
  await Promise.all(clients.map((c) => c.dispose()));
  process.exit(0);
});
