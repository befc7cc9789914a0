import { lazy, Suspense, type ComponentProps } from "react";

// The Markdown renderer (react-markdown with GitHub's extensions and math, about 60 KB gzipped) is a chunk of its
// own, fetched as soon as the thread module loads but after the first paint, not with the first-load script.
const renderer = import("../markdown.tsx");
const Renderer = lazy(() => renderer.then((m) => ({ default: m.Markdown })));

type Props = ComponentProps<typeof Renderer>;

/** An answer's Markdown; for the moment the renderer takes to arrive, its text as it is. */
export function Markdown(props: Props) {
  return (
    <Suspense fallback={<div className="md plain">{props.text}</div>}>
      <Renderer {...props} />
    </Suspense>
  );
}
