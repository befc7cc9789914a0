import { useCallback, useEffect, useRef, useState } from "react";
import { AdminError } from "./api.ts";

/** Loads now and every `ms` while mounted (one request at a time); `reload` asks again at once. */
export function usePoll<T>(load: () => Promise<T>, ms: number, key: string): { data?: T; error?: AdminError; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<AdminError>();
  const wake = useRef<() => void>(() => {});
  // biome-ignore lint/correctness/useExhaustiveDependencies: `load` changes identity every render; `key` says when it means something else
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      clearTimeout(timer);
      try {
        const d = await load();
        if (!live) return;
        setData(d);
        setError(undefined);
      } catch (e) {
        if (live) setError(e instanceof AdminError ? e : new AdminError(0, (e as Error).message));
      }
      if (live) timer = setTimeout(() => void tick(), ms);
    };
    wake.current = () => void tick();
    void tick();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, ms]);
  return { data, error, reload: useCallback(() => wake.current(), []) };
}
