export { startFakeOpenAI, type FakeOpenAIOptions } from "./openai.ts";
export { fakeEmbedding, fakeEmbeddingSizes } from "./openai-embeddings.ts";
export { embedAt, startTopicEmbeddings, topicVector, TOPIC_DIMS, type TopicEmbeddings } from "./topic-embeddings.ts";
export { startFakeAnthropic } from "./anthropic.ts";
export { startFake, sleep, json, type FakeServer, type SeenRequest, type Handler } from "./server.ts";
export { startFakeKubernetes, type FakeKubernetes, type FakeKubernetesOptions } from "./kubernetes.ts";
export { startFakeS3, type FakeS3 } from "./s3.ts";
export { startFakeWebSearch } from "./web-search.ts";
export { startFakeAutomatic1111 } from "./automatic1111.ts";
export { solidPng, seedColour } from "./png.ts";
export { startFakeVideo, fakeMp4 } from "./video.ts";
export { startFakeComfyUI } from "./comfyui.ts";
export { startFakeVolcengineSpeech, type FakeVolcengineSpeechOptions } from "./volcengine-speech.ts";
export {
  startFakeDashScopeSpeech,
  DASHSCOPE_THROTTLED_TEXT,
  type FakeDashScopeSpeech,
  type SeenDashScopeTask,
} from "./dashscope-speech.ts";
