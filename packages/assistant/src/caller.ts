import { presentedKey, sessionCookieOf } from "@benih/gateway";
import type { FastifyRequest } from "fastify";
import type { Caller } from "./model-client.ts";

/**
 * The caller as the assistant's own call to /v1/chat/completions must present it, so the gateway applies the same
 * key or person and market: the key from whichever header carried it (Authorization or x-api-key), sent as a
 * bearer token, or else the session cookie; the host, which may choose the market; and an admin's x-benih-market,
 * which chose it for this request.
 */
export function callerOf(request: FastifyRequest): Caller {
  const key = presentedKey(request.headers);
  const session = key ? undefined : sessionCookieOf(request.headers);
  const market = request.headers["x-benih-market"];
  return {
    ...(key && { authorization: `Bearer ${key}` }),
    ...(session && { cookie: session.pair }),
    ...(request.headers.host && { host: request.headers.host }),
    ...(typeof market === "string" && market && { market }),
  };
}
