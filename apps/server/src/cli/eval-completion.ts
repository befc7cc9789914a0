/**
 * A GGUF model (with a LoRA adapter applied, if given) continuing raw ChatML text through llama.cpp (greedy, CPU), its control tokens read as such: what
 * a conversation's next assistant turn is, whatever chat template or tool parser a server would add.
 */
export async function ggufCompletion(
  path: string,
  adapter?: string,
): Promise<{ complete: (prompt: string) => Promise<string>; close: () => Promise<void> }> {
  process.env.NODE_LLAMA_CPP_SKIP_DOWNLOAD ??= "true";
  const lib = await import("node-llama-cpp");
  const llama = await lib.getLlama({ gpu: false, build: "never", logLevel: lib.LlamaLogLevel.error, progressLogs: false });
  const model = await llama.loadModel({ modelPath: path });
  // One thread: on tiny models more cost more in synchronisation than they win.
  const context = await model.createContext({
    contextSize: model.trainContextSize,
    sequences: 1,
    threads: 1,
    ...(adapter && { lora: { adapters: [{ filePath: adapter }] } }),
  });
  const sequence = context.getSequence();
  const completion = new lib.LlamaCompletion({ contextSequence: sequence });
  const end = lib.LlamaText(new lib.SpecialTokensText("<|im_end|>"));
  return {
    async complete(prompt) {
      const room = model.trainContextSize - model.tokenize(prompt, true).length;
      if (room <= 0) return "";
      const text = await completion.generateCompletion(lib.LlamaText(new lib.SpecialTokensText(prompt)), {
        maxTokens: Math.min(96, room),
        temperature: 0,
        customStopTriggers: [end],
      });
      return text.replace(/<\|im_end\|>[\s\S]*$/, "");
    },
    async close() {
      await context.dispose();
      await model.dispose();
    },
  };
}
