import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from "react";

/** How close to the bottom (px) still counts as reading the latest. */
const NEAR = 80;

/**
 * Keeps a scrolling list at its end while the reader is there: new content (`change`) scrolls it down only if the
 * reader was at (or near) the bottom; one who scrolled up stays put. `atEnd` is false while they are away, for a
 * "jump to latest" button; `jump` goes there and follows again.
 */
export function useFollow(list: RefObject<HTMLElement | null>, change: unknown) {
  const following = useRef(true);
  const [atEnd, setAtEnd] = useState(true);

  useEffect(() => {
    const el = list.current;
    if (!el) return;
    const onScroll = () => {
      const near = el.scrollHeight - el.scrollTop - el.clientHeight <= NEAR;
      following.current = near;
      setAtEnd(near);
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    return () => el.removeEventListener("scroll", onScroll);
  }, [list]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `change` is what grows the list
  useLayoutEffect(() => {
    const el = list.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [change, list]);

  const jump = useCallback(() => {
    const el = list.current;
    if (!el) return;
    following.current = true;
    setAtEnd(true);
    el.scrollTo?.({ top: el.scrollHeight, behavior: "smooth" });
  }, [list]);

  return { atEnd, jump };
}
