import { writeTestModel } from "./test-model.ts";

export const PLACEHOLDER_FILE = "benih-tiny-random.gguf";

/** The committed placeholder's exact bytes; a test checks the file in models/ still equals them. */
export function placeholderModel(): Uint8Array {
  return writeTestModel({
    name: "benih-tiny-random",
    seed: 20261126,
    config: { dim: 64, layers: 2, heads: 4, kvHeads: 2, ff: 192, contextLength: 1024 },
    description: "Random weights for plumbing tests; not trained. Replaced by benih-tiny-cn and benih-tiny-global.",
  });
}
