import { hostname } from "node:os";
import type { Socket } from "node:net";
import { RegionalAgent } from "@benih/control";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { benihTrainers, trainArgs } from "../training-agent.ts";

/** The region of the agent that trains on this machine, inside the server. */
export const LOCAL_REGION = "local";

/**
 * Remembers the connections the local agent's requests arrive on, so that closing can end its long poll at once
 * rather than after the poll's wait.
 */
export function trackAgentConnections(app: FastifyInstance, { token, sockets }: { token: string; sockets: Set<Socket> }): void {
  app.addHook("onRequest", (request, _reply, done) => {
    const socket = request.raw.socket;
    if (request.headers.authorization === `Bearer ${token}` && !sockets.has(socket)) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    }
    done();
  });
}

/**
 * Starts the agent of region `local`: one CPU node, trainers as child processes, run folders under `runsDir`.
 * Its close pauses what it runs (the trainers checkpoint) and reports it before the server stops listening.
 */
export function startLocalAgent(o: {
  url: string;
  token: string;
  runsDir: string;
  sockets: Set<Socket>;
  log?: FastifyBaseLogger;
}): () => Promise<void> {
  const agent = new RegionalAgent({
    controlPlane: o.url,
    token: o.token,
    cluster: {
      id: `${LOCAL_REGION}-${hostname()}`,
      region: LOCAL_REGION,
      operator: "self",
      nodes: [{ id: "cpu", accelerator: "CPU", count: 1, free: 1 }],
    },
    runsDir: o.runsDir,
    executor: benihTrainers(),
    trainArgs: trainArgs(50),
    // Closing ends its long poll by closing the connection, which it would otherwise report as an outage.
    log: (line) => void (closing && line.startsWith("control plane unreachable") ? undefined : o.log?.info({ agent: LOCAL_REGION }, line)),
  });
  let closing = false;
  const running = agent.run().catch((err: Error) => o.log?.error({ err }, "the local training agent stopped"));
  return async () => {
    closing = true;
    agent.close();
    for (const socket of o.sockets) socket.destroy();
    await running;
  };
}
