import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { SHARED, type KnowledgeStore } from "@benih/store";
import { chunk } from "./chunk.ts";
import { extract } from "./extract.ts";

/**
 * Indexes the starter corpus (benih's own docs) as shared documents, once per store: search works offline from
 * the first start. A file already indexed under its name is left alone.
 */
export async function seedStarterCorpus(store: KnowledgeStore, files: readonly string[]): Promise<number> {
  let added = 0;
  for (const file of files) {
    const name = basename(file);
    if (await store.hasSource(name, SHARED)) continue;
    const bytes = readFileSync(file);
    const doc = await extract(name, bytes);
    await store.add(
      { owner: SHARED, title: doc.title, source: name, mime: doc.mime, bytes: bytes.length, pages: doc.pageCount },
      chunk(doc.pages),
    );
    added++;
  }
  return added;
}
