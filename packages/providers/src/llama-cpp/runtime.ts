import type { Llama } from "node-llama-cpp";

type Module = typeof import("node-llama-cpp");

let llama: Promise<{ llama: Llama; lib: Module }> | undefined;

/**
 * The one llama.cpp runtime of the process, with the node-llama-cpp module itself: importing it once and keeping
 * it matters, because a dynamic import() per request goes through the ESM loader (and its hooks thread) every time.
 * CPU only, and never a build or download: a missing binary is an error to report, not something to fetch (this
 * must work offline).
 */
export function getRuntime(): Promise<{ llama: Llama; lib: Module }> {
  llama ??= (async () => {
    process.env.NODE_LLAMA_CPP_SKIP_DOWNLOAD ??= "true";
    const lib = await import("node-llama-cpp");
    const instance = await lib.getLlama({ gpu: false, build: "never", logLevel: lib.LlamaLogLevel.error, progressLogs: false });
    return { llama: instance, lib };
  })();
  return llama;
}
