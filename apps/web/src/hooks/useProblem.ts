import { useCallback, useMemo, useState } from "react";
import { hasApiKey, NeedsKey } from "../api/http.ts";

/** Where failures of requests outside an answer go: the one notice above the thread, or the key prompt. */
export interface Problems {
  report(e: Error): void;
  clear(): void;
}

export function useProblem() {
  /** Kept as the error itself: the thread says it in the reader's language by its kind, with its words as details. */
  const [error, setError] = useState<Error>();
  /** Set when the server wants an API key this browser does not have (or has a wrong one of). */
  const [needsKey, setNeedsKey] = useState<"missing" | "wrong" | null>(null);
  const report = useCallback((e: Error) => (e instanceof NeedsKey ? setNeedsKey(hasApiKey() ? "wrong" : "missing") : setError(e)), []);
  const problems: Problems = useMemo(() => ({ report, clear: () => setError(undefined) }), [report]);
  return { error, needsKey, problems };
}
