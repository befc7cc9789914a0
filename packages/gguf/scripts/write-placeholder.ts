// Writes models/benih-tiny-random.gguf: a random-weight llama model that lets `npm start` serve a local GGUF on
// a machine with nothing downloaded. It produces noise, by design; benih's trained models replace it.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { placeholderModel, PLACEHOLDER_FILE } from "../src/placeholder.ts";

const out = fileURLToPath(new URL(`../../../models/${PLACEHOLDER_FILE}`, import.meta.url));
writeFileSync(out, placeholderModel());
console.log(`wrote ${out}`);
