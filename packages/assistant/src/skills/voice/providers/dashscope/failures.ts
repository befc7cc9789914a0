import { GatewayError } from "@benih/gateway";
import { type AudioTask, upstreamError } from "../errors.ts";

/**
 * What a DashScope `task-failed` event's `error_code` means to benih's caller, by Model Studio's error codes:
 * InvalidApiKey (401) and AccessDenied (403) are benih's key, Throttling.* (429) its rate, InvalidParameter and
 * DataInspectionFailed (400) the request; anything else is the provider failing.
 */
export function taskFailed(code: string, message: string, what: AudioTask): GatewayError {
  const said = `${code}: ${message}`.slice(0, 400);
  if (/^(InvalidApiKey|Unauthorized|AuthenticationError)/i.test(code)) return upstreamError(401, said, what);
  if (/^AccessDenied/i.test(code)) return upstreamError(403, said, what);
  if (/^Throttling/i.test(code)) return upstreamError(429, said, what);
  if (/^(InvalidParameter|DataInspectionFailed|BadRequest)/i.test(code)) return upstreamError(400, said, what);
  return upstreamError(502, said, what);
}

/** A refused WebSocket upgrade: its HTTP status, and the `{ code, message }` DashScope answers with. */
export function handshakeRefused(status: number, body: string, what: AudioTask): GatewayError {
  let message = body.slice(0, 300) || `HTTP ${status}`;
  try {
    const b = JSON.parse(body) as { code?: string; message?: string };
    if (b.message) message = b.code ? `${b.code}: ${b.message}` : b.message;
  } catch {}
  return upstreamError(status, message, what);
}

export const timedOut = (what: AudioTask, name: string, seconds: number) =>
  new GatewayError(504, "timeout_error", `The ${what} provider ${name} did not finish within ${seconds} s`, "upstream_timeout");
