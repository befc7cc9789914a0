import type { KeyboardEvent } from "react";

/**
 * The one Enter rule of every text box that sends: Enter sends, Shift+Enter adds a line, and an Enter that
 * confirms an input method's candidate (Chinese, Japanese…) does neither. Browsers flag that Enter with
 * `isComposing`, and some (Safari) only with keyCode 229.
 */
export function onEnterToSend(send: () => void) {
  return (e: KeyboardEvent<HTMLElement>) => {
    if (e.key !== "Enter" || e.shiftKey) return;
    if (e.nativeEvent.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    send();
  };
}
