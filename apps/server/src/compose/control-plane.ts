import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { resolve } from "node:path";
import { ControlPlane, registerControlRoutes, type Dataset } from "@benih/control";
import type { Signals } from "@benih/contracts";
import type { Store } from "@benih/store";
import { marketLanguages, type Market } from "@benih/trainer";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { BenihConfig } from "../config/schema.ts";
import type { Closers } from "./lifecycle.ts";
import { LOCAL_REGION, startLocalAgent, trackAgentConnections } from "./local-agent.ts";

export interface Training {
  plane: ControlPlane;
  store: Store;
  /** The most megabytes an uploaded dataset may have. */
  datasetMaxMb: number;
  /** The region an agent token speaks for. */
  agentRegion(token: string | undefined): string | undefined;
  /**
   * This machine trains: the token of its agent (made for this process unless the config names one), and the
   * connections its requests arrive on.
   */
  local?: { token: string; sockets: Set<Socket> };
}

/** Each built-in dataset (one per market), kept on this machine: what the local agent trains on by default. */
const builtInDatasets = (): Dataset[] =>
  (Object.keys(marketLanguages) as Market[]).map((market) => ({
    id: market,
    market,
    region: LOCAL_REGION,
    source: market,
    flags: [],
    transfers: [],
  }));

/** What the instances sharing the store share besides it. */
export interface TrainingShared {
  /** Wakes an agent's long poll on whichever instance it waits; default: within this process. */
  signals?: Signals;
  /** Takes or renews a named lease, so that one instance at a time runs the recovery sweep; default: always this one. */
  lease?: (name: string, ttlMs: number) => Promise<boolean>;
}

/**
 * The training control plane: the configured agents' tokens and datasets, and the recovery sweep that resumes the
 * runs of agents gone silent. Without agents of other regions, an agent for region `local` trains here.
 */
export function createTraining(
  config: BenihConfig,
  store: Store,
  closers: Closers,
  log?: FastifyBaseLogger,
  shared: TrainingShared = {},
): Training {
  const t = config.training;
  const tokens = new Map(t.agents.map((a) => [a.token, a.region]));
  const local = t.localAgent ?? t.agents.every((a) => a.region === LOCAL_REGION);
  const localToken = local ? (t.agents.find((a) => a.region === LOCAL_REGION)?.token ?? randomBytes(24).toString("base64url")) : undefined;
  if (localToken) tokens.set(localToken, LOCAL_REGION);
  const datasets = t.datasets.length || !local ? t.datasets : builtInDatasets();
  const timeoutMs = t.heartbeatTimeoutSeconds * 1000;
  const plane = new ControlPlane({
    store: store.training,
    rules: t.rules,
    datasets,
    recipes: t.recipes,
    heartbeatTimeoutMs: timeoutMs,
    ...(shared.signals && { signals: shared.signals }),
    ...(shared.lease && { lease: shared.lease }),
  });
  const sweeper = setInterval(
    () => void plane.sweep(timeoutMs).catch((err: Error) => log?.error({ err }, "control plane: the recovery sweep failed")),
    Math.max(1000, timeoutMs / 3),
  );
  sweeper.unref();
  closers.push(async () => {
    clearInterval(sweeper);
    await plane.close();
  });
  return {
    plane,
    store,
    datasetMaxMb: t.datasetMaxMb,
    agentRegion: (token) => (token ? tokens.get(token) : undefined),
    ...(localToken && { local: { token: localToken, sockets: new Set<Socket>() } }),
  };
}

/**
 * The control plane's routes. Agents call them every second (heartbeats, long polls, metric batches), so their
 * requests are logged only when they fail (or at LOG_LEVEL debug).
 */
export function registerTrainingRoutes(app: FastifyInstance, training: Training): void {
  void app.register(async (control) => {
    control.addHook("onRoute", (route) => {
      // Fastify has given the route the server's level by now; a debugging server (debug, trace) still shows them.
      if (route.config?.access === "agent" && (!route.logLevel || route.logLevel === "info")) route.logLevel = "warn";
    });
    if (training.local) trackAgentConnections(control, training.local);
    registerControlRoutes(control, {
      plane: training.plane,
      store: training.store.training,
      datasetMaxBytes: Math.round(training.datasetMaxMb * 1024 * 1024),
    });
  });
}

/** Starts the local agent once the server listens, its run folders in the data folder; it stops before the server does. */
export function startLocalTraining(training: Training, selfUrl: string, dataDir: string, closers: Closers, log?: FastifyBaseLogger): void {
  if (!training.local) return;
  closers.push(startLocalAgent({ url: selfUrl, ...training.local, runsDir: resolve(dataDir, "agent-runs"), ...(log && { log }) }));
}
