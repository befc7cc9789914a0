import { randomUUID } from "node:crypto";
import { WebSocket } from "undici";
import { type AudioTask, unreachable } from "../errors.ts";
import type { AudioModelConfig } from "../provider.ts";
import { handshakeRefused, taskFailed, timedOut } from "./failures.ts";
import { type Refusal, watchingDispatcher } from "./handshake.ts";

/** Where a `dashscope` model goes without a baseURL: Model Studio's WebSocket inference endpoint (China, Beijing). */
export const DASHSCOPE_WS = "wss://dashscope.aliyuncs.com/api-ws/v1/inference";

/** A server event (a text frame): `header.event` is task-started, result-generated, task-finished or task-failed. */
export interface TaskEvent {
  header: { event: string; task_id?: string; error_code?: string; error_message?: string };
  payload?: { output?: Record<string, unknown>; usage?: Record<string, unknown> };
}

/** What the server sends: events, and (for synthesis) audio as binary frames. */
export type TaskMessage = TaskEvent | Uint8Array;

export interface DuplexTask {
  /** A binary frame of input (recognition's audio); resolves once the socket's buffer has room again. */
  sendAudio(bytes: Uint8Array): Promise<void>;
  /** continue-task with `input` (synthesis' text). */
  continueWith(input: Record<string, unknown>): void;
  finish(): void;
  /** The server's messages after task-started, until task-finished; throws what a failure means to the caller. */
  messages(): AsyncGenerator<TaskMessage, void, undefined>;
  close(): void;
}

const isEvent = (m: TaskMessage): m is TaskEvent => !(m instanceof Uint8Array);

/**
 * Runs one task of DashScope's duplex WebSocket protocol: connects with `Authorization: bearer <apiKey>`, sends
 * run-task with `payload`, and resolves once the server answers task-started. The whole exchange is limited to
 * `limitMs`; `signal` (the caller going away) closes the socket.
 */
export async function startTask(
  m: AudioModelConfig,
  what: AudioTask,
  payload: Record<string, unknown>,
  signal: AbortSignal,
  limitMs: number,
): Promise<DuplexTask> {
  signal.throwIfAborted();
  const taskId = randomUUID().replaceAll("-", "");
  const refusal: Refusal = { body: "" };
  let ws: WebSocket;
  try {
    ws = new WebSocket((m.baseURL ?? DASHSCOPE_WS).replace(/\/+$/, ""), {
      headers: { authorization: `bearer ${m.apiKey ?? ""}` },
      dispatcher: watchingDispatcher(refusal),
    });
  } catch (err) {
    throw unreachable(what, m.name, err);
  }
  ws.binaryType = "arraybuffer";

  const queue: TaskMessage[] = [];
  let failure: unknown;
  let done = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const fail = (err: unknown) => {
    failure ??= err;
    notify();
    close();
  };
  const timer = setTimeout(() => fail(timedOut(what, m.name, Math.round(limitMs / 1000))), limitMs);
  const onAbort = () => fail(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  function close() {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
    if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close();
  }

  let opened = false;
  ws.addEventListener("open", () => {
    opened = true;
    const header = { action: "run-task", task_id: taskId, streaming: "duplex" };
    ws.send(JSON.stringify({ header, payload }));
  });
  ws.addEventListener("message", (e) => {
    if (typeof e.data === "string") {
      let event: TaskEvent;
      try {
        event = JSON.parse(e.data) as TaskEvent;
      } catch {
        return fail(taskFailed("BadResponse", `not JSON: ${e.data.slice(0, 100)}`, what));
      }
      if (event.header?.event === "task-failed")
        return fail(taskFailed(event.header.error_code ?? "", event.header.error_message ?? "", what));
      queue.push(event);
    } else queue.push(new Uint8Array(e.data as ArrayBuffer));
    notify();
  });
  ws.addEventListener("close", (e) => {
    if (!opened && refusal.status && refusal.status !== 101) fail(handshakeRefused(refusal.status, refusal.body, what));
    else if (!opened) fail(unreachable(what, m.name, new Error("the WebSocket connection failed")));
    else if (!done)
      fail(unreachable(what, m.name, new Error(`the connection closed mid-task (${e.code}${e.reason ? ` ${e.reason}` : ""})`)));
    notify();
  });

  async function* messages(): AsyncGenerator<TaskMessage, void, undefined> {
    try {
      for (;;) {
        const next = queue.shift();
        if (next) {
          if (isEvent(next) && next.header.event === "task-finished") {
            done = true;
            return;
          }
          yield next;
          continue;
        }
        if (failure) throw failure;
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      if (done || failure) close();
    }
  }

  const command = (action: string, input: Record<string, unknown>) =>
    ws.send(JSON.stringify({ header: { action, task_id: taskId, streaming: "duplex" }, payload: { input } }));

  const task: DuplexTask = {
    async sendAudio(bytes) {
      if (failure) throw failure;
      ws.send(bytes);
      while (ws.bufferedAmount > 1 << 20 && !failure) await new Promise((r) => setTimeout(r, 10));
      if (failure) throw failure;
    },
    continueWith: (input) => command("continue-task", input),
    finish: () => command("finish-task", {}),
    messages,
    close: () => {
      done = true;
      close();
    },
  };

  // Nothing may be sent before task-started.
  const events = messages();
  const first = await events.next();
  if (first.done || !isEvent(first.value) || first.value.header.event !== "task-started") {
    task.close();
    throw failure ?? taskFailed("UnexpectedEvent", "the server did not start the task", what);
  }
  return task;
}
