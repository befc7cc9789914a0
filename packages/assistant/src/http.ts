import type { FastifyRequest } from "fastify";

export { idParam, notFound, parse, wholeQuery } from "@benih/gateway";

/**
 * Whose data a request reads and writes: the person's (by any of their keys or sessions), else the key's (keys
 * made before accounts keep what they own); null for the machine's owner on a loopback server without sign-in.
 */
export function ownerOf(request: FastifyRequest): string | null {
  const p = request.principal;
  if (!p) return null;
  if (p.person) return p.person.owner ? null : p.person.id;
  return p.keyId;
}
