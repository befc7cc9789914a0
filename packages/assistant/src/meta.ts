import { messageMeta, type MessageMeta } from "@benih/contracts";

/** A stored message's meta (JSON text) as the contract reads it. */
export function readMeta(text: string): MessageMeta {
  return messageMeta.parse(JSON.parse(text));
}
