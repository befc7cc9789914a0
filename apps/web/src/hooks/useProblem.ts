import { useCallback, useMemo, useState } from "react";
import { hasApiKey, NeedsKey } from "../api/http.ts";

/** Where failures go: the one shown above the thread, or the key prompt when the server wants a key. */
export interface Problems {
  report(e: Error): void;
  clear(): void;
}

export function useProblem() {
  const [error, setError] = useState<string>();
  /** Set when the server wants an API key this browser does not have (or has a wrong one of). */
  const [needsKey, setNeedsKey] = useState<"missing" | "wrong" | null>(null);
  const report = useCallback(
    (e: Error) => (e instanceof NeedsKey ? setNeedsKey(hasApiKey() ? "wrong" : "missing") : setError(e.message)),
    [],
  );
  const problems: Problems = useMemo(() => ({ report, clear: () => setError(undefined) }), [report]);
  return { error, needsKey, problems };
}
