import type { Llama } from "node-llama-cpp";

let llama: Promise<Llama> | undefined;

/**
 * The one llama.cpp runtime of the process. CPU only, and never a build or download: a missing binary is an error
 * to report, not something to fetch (this must work offline).
 */
export function getRuntime(): Promise<Llama> {
  llama ??= (async () => {
    process.env.NODE_LLAMA_CPP_SKIP_DOWNLOAD ??= "true";
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    return getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, progressLogs: false });
  })();
  return llama;
}
