import pino from "pino";

/**
 * JSON lines on stdout; each request's lines carry its `reqId`. Written asynchronously in batches (a write per
 * request would be a syscall on the hot path), flushed at least every second and on shutdown.
 */
export function createLogger(level: string) {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 8192 });
  const timer = setInterval(() => destination.flush(), 1000);
  timer.unref();
  const logger = pino({ level, base: { service: "benih" }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  return Object.assign(logger, {
    /** Writes out what is buffered; call before exiting. */
    flushSync: () => {
      clearInterval(timer);
      destination.flushSync();
    },
  });
}
