import { byteCount, type ContextWindow, type TokenCount } from "@benih/assistant";
import type { ModelCatalog, Router } from "@benih/gateway";
import type { LocalModel } from "./providers.ts";
import { ggufTokenCount } from "./token-counts.ts";

/**
 * What the assistant needs to know of a model beyond the catalog, from its local GGUF and card where the route's
 * first target is a local model: its context with tokens counted by its own tokenizer (benih's GGUFs; read once
 * per file), else one per byte; whether it follows a skill's instructions, and the search skill's.
 */
export function localModelFacts(catalog: ModelCatalog, router: Router, local: ReadonlyMap<string, LocalModel>) {
  const counts = new Map<string, TokenCount | undefined>();
  const countFor = (file: string) => {
    if (!counts.has(file)) counts.set(file, ggufTokenCount(file));
    return counts.get(file);
  };
  const localOf = (model: string) => {
    const target = router.resolve(model)?.targets[0];
    return target && local.get(`${target.provider}/${target.model}`);
  };
  return {
    contextWindow(model: string): ContextWindow | undefined {
      const length = catalog.contextLength(model);
      if (length === undefined) return undefined;
      const file = localOf(model)?.file;
      return { length, count: (file && countFor(file)) || byteCount };
    },
    followsInstructions: (model: string): boolean => localOf(model)?.card?.followsInstructions ?? true,
    answersFromSources: (model: string): boolean => localOf(model)?.card?.answersFromSources === true,
  };
}
