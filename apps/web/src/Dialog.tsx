import { useEffect, useRef, type ReactNode } from "react";

/**
 * A modal panel on the browser's own <dialog>: it takes focus when it opens, Escape and a click on the backdrop
 * close it, and focus goes back to what had it before (the browser does the first and last; this adds the click).
 */
export function Dialog({
  label,
  onClose,
  children,
  className = "panel",
  testId,
}: {
  /** Read out when the dialog opens. */
  label: string;
  onClose(): void;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const before = document.activeElement as HTMLElement | null;
    if (!d.open) d.showModal?.();
    const onCancel = (e: Event) => {
      e.preventDefault();
      close.current();
    };
    d.addEventListener("cancel", onCancel);
    return () => {
      d.removeEventListener("cancel", onCancel);
      if (d.open) d.close?.();
      // jsdom has no showModal; real browsers restore focus themselves, this covers unmounting without close().
      before?.focus?.();
    };
  }, []);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape closes it already (the dialog's cancel event)
    <dialog
      ref={ref}
      className={className}
      aria-label={label}
      data-testid={testId}
      onClick={(e) => {
        // A click on the backdrop lands on the dialog itself, outside its box.
        if (e.target !== ref.current) return;
        const r = ref.current.getBoundingClientRect();
        if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) onClose();
      }}
    >
      {children}
    </dialog>
  );
}
