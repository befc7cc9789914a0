export { GatewayClient, ModelError, parseChunks, type AnswerPart, type Caller, type ChatTurn, type ModelClient } from "./model-client.ts";
export { branch, newestLeafUnder, withSiblings } from "./thread.ts";
export { history, respond, STREAM_TOUCH_MS, type Answer, type RespondOptions } from "./respond.ts";
export { registerAssistantRoutes, type AssistantRoutesOptions } from "./routes.ts";
export { registerAgentRoutes, type AgentRoutesOptions } from "./agents/routes.ts";
export { registerConversationRoutes, type ConversationRoutesOptions } from "./conversations/routes.ts";
export { AnswerStops } from "./conversations/answer-stops.ts";
export { skills, SkillRegistry } from "./skills/registry.ts";
export type { ChipAnswer, Skill, SkillContext, SkillServices, SkillTool } from "./skills/skill.ts";
export { searchTool } from "./skills/search-tool.ts";
export { WEB_SEARCH_MISSING } from "./skills/web/index.ts";
export { toMarkdown } from "./export.ts";
export { assistantOpenApi } from "./openapi.ts";
export { McpClients, type McpToolInfo } from "./mcp-client/clients.ts";
export { ToolConfirmations } from "./mcp-client/confirmations.ts";
export type { McpServerConfig } from "./mcp-client/config.ts";
export { MAX_RESULT_CHARS, resultText } from "./mcp-client/result-text.ts";
export { registerKnowledgeRoutes, type KnowledgeRoutesOptions } from "./knowledge/routes.ts";
export { extract, ExtractError, htmlToText } from "./knowledge/extract.ts";
export { defaultDocumentLimits, DocumentTooLargeError, ReaderBusyError, type DocumentLimits } from "./knowledge/limits.ts";
export { documentsBeingRead, readDocument } from "./knowledge/reader.ts";
export { chunk, type PageText } from "./knowledge/chunk.ts";
export { terms } from "./knowledge/terms.ts";
export { KnowledgeEmbedder, type KnowledgeEmbedderOptions } from "./knowledge/embedder.ts";
export { hybridKnowledge, type HybridKnowledgeOptions } from "./knowledge/hybrid.ts";
export { citationsOf, relevant, sourcesPrompt } from "./knowledge/sources.ts";
export { seedStarterCorpus } from "./knowledge/starter.ts";
export { safeFetch, FetchRefused, type FetchedPage, type SafeFetchOptions } from "./web/safe-fetch.ts";
export { addressRefusal } from "./web/address.ts";
export { webSearch, WebSearchError, type WebResult, type WebSearchConfig } from "./web/search.ts";
export { webSources } from "./skills/web/sources.ts";
export { AGENT_LOCALES, BUILT_IN_AGENTS, builtInView, type Agent, type AgentLocale, type BuiltInAgent } from "./agents/built-in.ts";
export { translatePrompt } from "./skills/translate/prompt.ts";
export { writingPrompt } from "./skills/write/prompt.ts";
export { generateImages, ImageError, type ImageModelConfig, type ImageRequest } from "./images/providers.ts";
export { drawAndKeep, imageModelFor, IMAGES_MISSING, type ImageRoutesOptions } from "./images/routes.ts";
export { defaultImageLimits, type ImageLimits, largestImageFor } from "./images/limits.ts";
export { submitVideo, videoStatus, downloadVideo, VideoError, type VideoModelConfig, type TaskStatus } from "./video/providers.ts";
export { slideshow, hasFfmpeg } from "./video/slideshow.ts";
export { VideoRunner, SLIDESHOW } from "./video/runner.ts";
export { startVideoJob, jobView, VIDEO_MISSING, type VideoRoutesOptions } from "./video/routes.ts";
export { translateDocument, translationPieces } from "./skills/translate/document.ts";
export { registerSpeechRoutes, speechBody, OFFLINE_SPEECH_MODEL, type SpeechRoutesOptions } from "./skills/voice/speech-routes.ts";
export type { AudioModelConfig } from "./skills/voice/providers/provider.ts";
export {
  registerTranscriptionRoutes,
  TRANSCRIPTION_MISSING,
  type TranscriptionRoutesOptions,
} from "./skills/voice/transcription-routes.ts";
