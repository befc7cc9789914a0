import { useLayoutEffect, useRef } from "react";

/** The most of the window's height the input grows to before it scrolls. */
const MOST = 0.4;

/** A textarea that grows with its text up to 40% of the window, then scrolls; it shrinks back when emptied. */
export function useGrowingInput(text: string) {
  const ref = useRef<HTMLTextAreaElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the height follows the text, read from the element
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    const most = Math.round(window.innerHeight * MOST);
    const needed = el.scrollHeight;
    el.style.height = needed ? `${Math.min(needed, most)}px` : "";
    el.style.overflowY = needed > most ? "auto" : "hidden";
  }, [text]);
  return ref;
}
