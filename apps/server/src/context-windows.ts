import { byteCount, type ContextWindow, type TokenCount } from "@benih/assistant";
import type { ModelCatalog, Router } from "@benih/gateway";
import { ggufTokenCount } from "./token-counts.ts";

/**
 * A model's context as the assistant fits prompts to it: the catalog's length, and tokens counted by the model's
 * own tokenizer where it is a local GGUF of benih's (read once per file), else one per byte.
 */
export function contextWindows(catalog: ModelCatalog, router: Router, localFiles: ReadonlyMap<string, string>) {
  const counts = new Map<string, TokenCount | undefined>();
  const countFor = (file: string) => {
    if (!counts.has(file)) counts.set(file, ggufTokenCount(file));
    return counts.get(file);
  };
  return (model: string): ContextWindow | undefined => {
    const length = catalog.contextLength(model);
    if (length === undefined) return undefined;
    const target = router.resolve(model)?.targets[0];
    const file = target && localFiles.get(`${target.provider}/${target.model}`);
    return { length, count: (file && countFor(file)) || byteCount };
  };
}
