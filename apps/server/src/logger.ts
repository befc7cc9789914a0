import pino from "pino";

/** JSON lines on stdout; each request's lines carry its `reqId`. */
export function createLogger(level: string) {
  return pino({ level, base: { service: "benih" }, timestamp: pino.stdTimeFunctions.isoTime });
}
