import type { RequestLogEntry } from "@benih/contracts";

/** One row per request the gateway served; the shape is the gateway's (`RequestLogEntry` in @benih/contracts). */
export type RequestLogTable = RequestLogEntry;

/** This domain's part of the store's `Database`. */
export interface RequestLogTables {
  request_log: RequestLogTable;
}
