import type { IncomingMessage } from "node:http";

/**
 * Reads and drops the rest of a body that was refused before it was read (at most `maxBytes`, for at most `ms`),
 * then calls `answer`. A client still writing when the answer comes and the connection closes gets a broken pipe
 * instead of the answer (fetch and undici report EPIPE, not the 413); nginx's lingering close is the same idea.
 * Past either bound the answer goes at once and the connection closes, as before.
 */
export function afterDraining(raw: IncomingMessage, answer: () => void, maxBytes = 64 * 1024 * 1024, ms = 10_000): void {
  let seen = 0;
  const finish = () => {
    clearTimeout(timer);
    raw.off("data", onData).off("end", finish).off("error", finish).off("close", finish);
    answer();
  };
  const onData = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) {
      raw.pause();
      finish();
    }
  };
  const timer = setTimeout(finish, ms);
  raw.on("data", onData).on("end", finish).on("error", finish).on("close", finish);
  raw.resume();
}
