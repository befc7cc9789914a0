// @benih/contracts: one home for every shape that crosses a process (server ↔ agent ↔ trainer, server ↔ web app,
// server ↔ CLI). Producers and consumers import these; nothing restates them.
export * from "./sse.ts";
export * from "./training.ts";
export * from "./run-state.ts";
export * from "./gateway.ts";
export * from "./skill-ids.ts";
export * from "./uploads.ts";
export * from "./conversations.ts";
export * from "./memories.ts";
export * from "./server.ts";
export * from "./accounts.ts";
export * from "./signals.ts";
