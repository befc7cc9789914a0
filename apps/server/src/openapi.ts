import { accountsOpenApi } from "@benih/accounts";
import { assistantOpenApi } from "@benih/assistant";
import { controlOpenApi } from "@benih/control";
import { gatewayOpenApi } from "@benih/gateway";

/** The OpenAPI 3.1 document served at /openapi.json: every HTTP API of the server, from each package's part. */
export function openApiDocument(o: { version: string; markets: boolean; training: boolean }) {
  const gateway = gatewayOpenApi();
  const assistant = assistantOpenApi();
  const control = o.training ? controlOpenApi() : { paths: {} };
  const json = (description: string) => ({ description, content: { "application/json": { schema: { type: "object" } } } });
  const server = {
    "/v1/market": {
      get: {
        tags: ["gateway"],
        security: [],
        summary: "The market serving this host: brand, languages, default models",
        responses: {
          "200": json("The market's public profile"),
          ...(!o.markets && { "404": json("no_markets: this server has no markets configured") }),
        },
      },
    },
    "/v1/settings": {
      get: {
        tags: ["assistant"],
        summary:
          "What is set up and what is missing: the market's models, each provider (where it came from, or what to set), each skill, upload limits",
        responses: { "200": json("{ market, models, providers, skills, uploads }") },
      },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "benih",
      version: o.version,
      description:
        "An OpenAI-compatible gateway over local and third-party models, per market; the assistant's conversations; the training control plane.",
    },
    security: [{ apiKey: [] }, { session: [] }],
    paths: {
      ...gateway.paths,
      ...server,
      ...assistant.paths,
      ...accountsOpenApi().paths,
      ...control.paths,
      "/health": { get: { tags: ["server"], security: [], summary: "Liveness", responses: { "200": { description: "{ status: ok }" } } } },
      "/ready": {
        get: {
          tags: ["server"],
          security: [],
          summary: "Readiness: every store, Redis and the signals to other instances answer, and the instance is not shutting down",
          responses: {
            "200": { description: "{ ready: true, status: ready, instance }" },
            "503": { description: "{ ready: false, status: draining | unavailable, failed?: [{ name, error }], instance }" },
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description:
            "A person's API key (`sk-benih-<market>-…`, made in the app's settings) or an operator's (`benih keys create`); optional on a loopback server without sign-in",
        },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "benih_session",
          description: "A signed-in browser's session (POST /v1/auth/login); its changes also send x-csrf-token (GET /v1/me gives it)",
        },
        agentToken: { type: "http", scheme: "bearer", description: "A regional agent's token from benih.yaml (training.agents)" },
      },
      schemas: { ...gateway.schemas, ...assistant.schemas },
    },
  };
}
