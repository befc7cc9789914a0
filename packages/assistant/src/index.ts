export { GatewayClient, ModelError, parseChunks, type AnswerPart, type Caller, type ChatTurn, type ModelClient } from "./model-client.ts";
export { branch, newestLeafUnder, withSiblings } from "./thread.ts";
export { history, respond, type Answer, type RespondOptions } from "./respond.ts";
export { registerAssistantRoutes, type AssistantRoutesOptions } from "./routes.ts";
export { toMarkdown } from "./export.ts";
export { assistantOpenApi } from "./openapi.ts";
