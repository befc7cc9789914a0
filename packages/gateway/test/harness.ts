import type { AddressInfo } from "node:net";
import type { Provider } from "@benih/spec";
import { BufferedRequestLogWriter, type Store } from "@benih/store";
import { openTestSqlite } from "@benih/store/testing";
import {
  Authenticator,
  createGatewayApp,
  defaultRetryPolicy,
  GatewayMetrics,
  ModelCatalog,
  PriceTable,
  Router,
  type PromptBudget,
  type QuotaGate,
  type RetryPolicy,
  type Route,
} from "@benih/gateway";

export interface GatewayHarness {
  url: string;
  store: Store;
  log: BufferedRequestLogWriter;
  catalog: ModelCatalog;
  close(): Promise<void>;
}

/** A real gateway on a loopback port, over a throwaway SQLite store. */
export async function startGateway(o: {
  providers: Provider[];
  routes: Route[];
  authRequired?: boolean;
  policy?: Partial<RetryPolicy>;
  bodyLimit?: number;
  promptBudget?: PromptBudget;
  concurrentPerKey?: number;
  /** How long keys are cached; 0 (the default here) reads the store on every request. */
  keyCacheMs?: number;
  quota?: QuotaGate;
  internalToken?: string;
  /** Another gateway's store (its keys), for two instances in front of one database; it is not closed here. */
  store?: Store;
}): Promise<GatewayHarness> {
  const { store, dispose } = o.store ? { store: o.store, dispose: async () => {} } : await openTestSqlite();
  const providers = new Map(o.providers.map((p) => [p.name, p]));
  const router = new Router(providers, o.routes, (name) => `provider ${name} is not configured: set its API key`);
  const catalog = new ModelCatalog(router, providers);
  await catalog.refresh();
  const log = new BufferedRequestLogWriter(store.requestLog, (e) => console.error(e), 20);
  const auth = new Authenticator(store.apiKeys, o.authRequired ?? false, o.keyCacheMs ?? 0);
  const app = createGatewayApp({
    router,
    catalog,
    prices: new PriceTable({ "fake/ok": { input: 1, output: 2 } }),
    // Fast retries keep tests quick; the behaviour is the same.
    policy: { ...defaultRetryPolicy, backoffBaseMs: 5, backoffCapMs: 20, ...o.policy },
    auth,
    metrics: new GatewayMetrics(false),
    requestLog: log,
    ...(o.bodyLimit !== undefined && { bodyLimit: o.bodyLimit }),
    ...(o.promptBudget && { promptBudget: o.promptBudget }),
    ...(o.concurrentPerKey !== undefined && { concurrentPerKey: o.concurrentPerKey }),
    ...(o.quota && { quota: o.quota }),
    ...(o.internalToken && { internalToken: o.internalToken }),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    log,
    catalog,
    async close() {
      await app.close();
      await auth.close();
      await log.flush();
      await dispose();
    },
  };
}

/** Reads an SSE response to its end and returns the `data:` payloads (JSON-parsed where possible). */
export async function readSSE(res: Response): Promise<any[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((e) => e.startsWith("data: "))
    .map((e) => {
      const d = e.slice(6);
      try {
        return JSON.parse(d);
      } catch {
        return d;
      }
    });
}

export const chat = (url: string, body: object, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

export const hello = [{ role: "user", content: "Hi" }];
