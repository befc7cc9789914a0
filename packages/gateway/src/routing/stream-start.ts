import type { CallOptions, ChatModel, ProviderFailure, StreamPart } from "@benih/spec";

/** Parts that make the client see something; until one arrives nothing is sent and fallback is still possible. */
const isOutput = (p: StreamPart) =>
  p.type === "text-delta" || p.type === "tool-input-start" || p.type === "tool-call" || p.type === "finish";

export interface OpenedStream {
  reader: ReadableStreamDefaultReader<StreamPart>;
  /** Parts already read while waiting for the first output, to be sent before reading on. */
  head: StreamPart[];
}

function failure(provider: string, kind: ProviderFailure["kind"], message: string): ProviderFailure {
  return { name: "ProviderFailure", kind, provider, message };
}

/** Rejects as soon as `signal` aborts, whether or not the provider honours the signal itself. */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal, provider: string): Promise<T> {
  if (signal.aborted) return Promise.reject(abortFailure(signal, provider));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortFailure(signal, provider));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

export function abortFailure(signal: AbortSignal, provider: string): ProviderFailure {
  const reason = signal.reason as { name?: string; message?: string } | undefined;
  return reason?.name === "TimeoutError"
    ? failure(provider, "timeout", `${provider} timed out: ${reason.message ?? "no answer in time"}`)
    : failure(provider, "aborted", "aborted");
}

/**
 * Opens the model's stream and reads until the first part that produces output. An error part or an early end
 * before that is thrown, so the gateway can still fall back to another target.
 */
export async function openStream(model: ChatModel, options: CallOptions, signal: AbortSignal): Promise<OpenedStream> {
  const { stream } = await raceAbort(model.doStream({ ...options, abortSignal: signal }), signal, model.provider);
  const reader = stream.getReader();
  const head: StreamPart[] = [];
  try {
    for (;;) {
      const { value, done } = await raceAbort(reader.read(), signal, model.provider);
      if (done) throw failure(model.provider, "invalid-response", `${model.provider} ended the stream without any output`);
      if (value.type === "error") throw value.error;
      head.push(value);
      if (isOutput(value)) return { reader, head };
    }
  } catch (err) {
    void reader.cancel().catch(() => {});
    throw err;
  }
}
