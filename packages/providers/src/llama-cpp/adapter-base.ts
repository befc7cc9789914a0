import { fileSha256, readGgufHeader } from "@benih/gguf";

/**
 * Why `adapter` cannot be applied to the base at `basePath`, or undefined when it can. llama.cpp checks only the
 * architecture and tensor shapes, so an adapter trained on another version of a base (same shapes, other weights)
 * would load and answer nonsense; benih's adapters carry their base's SHA-256, checked here.
 */
export async function adapterMismatch(adapter: string, basePath: string): Promise<string | undefined> {
  let meta: Map<string, unknown>;
  try {
    meta = readGgufHeader(adapter).metadata;
  } catch (e) {
    return `${adapter} cannot be read as a GGUF: ${(e as Error).message}`;
  }
  if (meta.get("general.type") !== "adapter" || meta.get("adapter.type") !== "lora")
    return `${adapter} is not a LoRA adapter (general.type "adapter", adapter.type "lora")`;
  const want = meta.get("benih.base.sha256");
  if (typeof want !== "string" || !want) return undefined; // another trainer's adapter: llama.cpp's shape checks only
  const have = await fileSha256(basePath);
  if (want === have) return undefined;
  const name = String(meta.get("benih.base.name") ?? "its base");
  return `${adapter} is a LoRA adapter for another version of ${name} (sha256 ${want.slice(0, 12)}…); ${basePath} has sha256 ${have.slice(0, 12)}…`;
}
