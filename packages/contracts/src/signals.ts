/**
 * Messages between the benih instances that share a store (one process, or many behind a load balancer). A signal
 * says "look again": what it is about lives in the store, so a signal lost while an instance was away loses nothing
 * but the wait until that instance looks anyway. In one process signals stay in memory; across processes they go
 * over Redis pub/sub when `REDIS_URL` is set, else over PostgreSQL LISTEN/NOTIFY.
 */
export interface Signals {
  /** Delivers `message` to every subscriber of `channel` on every instance, this one included. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `onMessage` for each message published on `channel` from now on; resolves once listening. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe>;
  /** Rejects while signals cannot reach the other instances (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type Unsubscribe = () => Promise<void>;

/** The channels benih uses, one place so that no two features share one by accident. */
export const signalChannels = {
  /** A command was queued for the agent of this cluster. */
  agentCommands: (cluster: string) => `benih:agent:${cluster}`,
  /** A key was revoked, a session ended or a person disabled: message is JSON naming it (see the Authenticator). */
  revocations: "benih:revoked",
  /** Stop this answer wherever it streams: message is the assistant message's id. */
  stopAnswer: "benih:stop-answer",
  /** The person decided on a tool call waiting for their OK: message is `<assistant message id>/<call id>`. */
  toolCallDecided: "benih:tool-call-decided",
} as const;
