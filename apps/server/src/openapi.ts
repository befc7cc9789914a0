import { assistantOpenApi } from "@benih/assistant";
import { controlOpenApi } from "@benih/control";
import { gatewayOpenApi } from "@benih/gateway";

/** The OpenAPI 3.1 document served at /openapi.json: every HTTP API of the server, from each package's part. */
export function openApiDocument(o: { version: string; markets: boolean; training: boolean }) {
  const gateway = gatewayOpenApi();
  const assistant = assistantOpenApi();
  const control = o.training ? controlOpenApi() : { paths: {} };
  const market = o.markets
    ? {
        "/v1/market": {
          get: {
            tags: ["gateway"],
            summary: "The market serving this request (by host, key, or an admin's x-benih-market header): brand, languages, default models",
            responses: { "200": { description: "The market's public profile", content: { "application/json": { schema: { type: "object" } } } } },
          },
        },
      }
    : {};
  return {
    openapi: "3.1.0",
    info: {
      title: "benih",
      version: o.version,
      description: "An OpenAI-compatible gateway over local and third-party models, per market; the assistant's conversations; the training control plane.",
    },
    security: [{ apiKey: [] }],
    paths: { ...gateway.paths, ...market, ...assistant.paths, ...control.paths, "/health": { get: { tags: ["server"], security: [], summary: "Liveness", responses: { "200": { description: "{ status: ok }" } } } } },
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "A benih API key (`benih keys create`); optional on a loopback server without required keys" },
        agentToken: { type: "http", scheme: "bearer", description: "A regional agent's token from benih.yaml (training.agents)" },
      },
      schemas: { ...gateway.schemas, ...assistant.schemas },
    },
  };
}
