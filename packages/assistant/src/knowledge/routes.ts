import type { DocumentTranslationEvents, KbPassagesView } from "@benih/contracts";
import { access, GatewayError } from "@benih/gateway";
import { KnowledgeQuotaError, type KbDocument, type KnowledgeStore } from "@benih/store";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { defaultDocumentLimits, DocumentTooLargeError, ExtractError, ReaderBusyError, sizeOf, type DocumentLimits } from "./limits.ts";
import { readDocument } from "./reader.ts";
import { terms } from "./terms.ts";
import { ModelError, type ModelClient } from "../model-client.ts";
import { callerOf } from "../caller.ts";
import { openEventStream } from "../event-stream.ts";
import { translateDocument } from "../skills/translate/document.ts";
import { ownerOf, wholeQuery } from "../http.ts";

export interface KnowledgeRoutesOptions {
  storeFor(request: FastifyRequest): KnowledgeStore;
  /** The largest upload taken, in bytes (413 above it). */
  maxUploadBytes: number;
  /** For translating documents: models through the gateway, as the caller, and the market's default model. */
  client: ModelClient;
  defaultModel(request: FastifyRequest): Promise<string | undefined>;
  /** What reading one upload may cost, and what one owner may keep; the defaults where not given. */
  documentLimits?: Partial<DocumentLimits>;
  /** Hybrid search: the market's embedding model (none: keywords alone), and a start of the embedding of what lacks it. */
  embedding?: { modelFor(request: FastifyRequest): string | undefined; kick(request: FastifyRequest): void };
}

/** Passages one document shows at most: a long book is shown from its start. */
const MAX_PASSAGES_SHOWN = 2000;

/**
 * The knowledge base under /v1/knowledge: upload a document (the file as the request body, its name in ?name=),
 * list and delete them, and search their passages.
 */
export function registerKnowledgeRoutes(app: FastifyInstance, o: KnowledgeRoutesOptions) {
  const limits: DocumentLimits = { ...defaultDocumentLimits, ...o.documentLimits };
  /** An upload read off the event loop, within the limits, stopped if the client goes away first. */
  const read = async (request: FastifyRequest, reply: FastifyReply, name: string, passages: boolean) => {
    const gone = new AbortController();
    const close = () => reply.raw.writableFinished || gone.abort();
    reply.raw.once("close", close);
    try {
      return await readDocument(name, request.body as Buffer, { limits, signal: gone.signal, passages });
    } catch (err) {
      if (gone.signal.aborted) throw new GatewayError(499, "invalid_request_error", "The client closed the connection.", "client_closed");
      // One code per kind of refusal; `param` names the limit a document is over.
      if (err instanceof DocumentTooLargeError)
        throw new GatewayError(413, "invalid_request_error", err.message, "document_too_large", err.limit);
      if (err instanceof ExtractError) throw new GatewayError(422, "invalid_request_error", err.message, err.code);
      if (err instanceof ReaderBusyError) throw new GatewayError(503, "server_error", err.message, "reader_busy", null, 1);
      throw err;
    } finally {
      reply.raw.off("close", close);
    }
  };

  // Each document with its embedding by the market's model where it has one: passages done of all, and why it failed.
  app.get("/v1/knowledge/documents", access("person"), async (request) => {
    const store = o.storeFor(request);
    const docs = await store.list(ownerOf(request));
    const model = o.embedding?.modelFor(request);
    if (!model) return { data: docs };
    const progress = await store.embeddingProgress(
      docs.map((d) => d.id),
      model,
    );
    return {
      data: docs.map((d) => ({ ...d, embedding: { model, ...(progress.get(d.id) ?? { done: 0, total: d.chunks, error: null }) } })),
    };
  });

  // Tries a document's failed embedding again.
  app.post("/v1/knowledge/documents/:id/embedding", access("person"), async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const model = o.embedding?.modelFor(request);
    if (!model)
      throw new GatewayError(
        400,
        "invalid_request_error",
        "This market has no embedding model (defaults.embedding).",
        "no_embedding_model",
      );
    if (!(await o.storeFor(request).retryEmbedding(id, ownerOf(request), model)))
      throw new GatewayError(404, "not_found_error", `Document ${id} does not exist (or is not yours to read).`, "not_found");
    o.embedding!.kick(request);
    return reply.code(202).send({ id, model });
  });

  app.delete("/v1/knowledge/documents/:id", access("person"), async (request, reply) => {
    const id = (request.params as { id: string }).id;
    if (!(await o.storeFor(request).delete(id, ownerOf(request))))
      throw new GatewayError(404, "not_found_error", `Document ${id} does not exist (or is not yours to delete).`, "not_found");
    return reply.code(204).send();
  });

  // A document as it was read, passage by passage (to show a citation in place), up to a budget of passages.
  app.get("/v1/knowledge/documents/:id/passages", access("person"), async (request): Promise<KbPassagesView> => {
    const id = (request.params as { id: string }).id;
    const found = await o.storeFor(request).passages(id, ownerOf(request), MAX_PASSAGES_SHOWN);
    if (!found) throw new GatewayError(404, "not_found_error", `Document ${id} does not exist (or is not yours to read).`, "not_found");
    return found;
  });

  app.get("/v1/knowledge/search", access("person"), async (request) => {
    const q = request.query as { q?: string; limit?: string };
    if (!q.q?.trim()) throw new GatewayError(400, "invalid_request_error", "q: say what to look for", "invalid_query", "q");
    const limit = wholeQuery(q.limit, "limit", { min: 1, max: 50 }) ?? 5;
    return { data: await o.storeFor(request).search(ownerOf(request), terms(q.q), limit, undefined, { text: q.q }) };
  });

  // Uploads take the raw file as the body, whatever its content type, up to the configured size.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: o.maxUploadBytes }, (_request, body, done) => done(null, body));
    // A file over the upload size says the limit (the app's handler still answers it, reading the rest first).
    scope.setErrorHandler((err: Error & { code?: string }) => {
      if (err.code !== "FST_ERR_CTP_BODY_TOO_LARGE") throw err;
      const message = `The file is larger than ${sizeOf(o.maxUploadBytes)}, the upload limit (assistant.uploadMaxMb)`;
      throw new GatewayError(413, "invalid_request_error", message, "request_too_large");
    });
    // A whole document translated piece by piece, with progress as server-sent events, then the translation.
    scope.post("/v1/translate/documents", access("person"), async (request, reply) => {
      const q = request.query as { name?: string; target?: string; model?: string; glossary?: string };
      const name = (q.name ?? "").trim();
      if (!name)
        throw new GatewayError(400, "invalid_request_error", "name: give the file's name, e.g. ?name=report.docx", "invalid_name", "name");
      if (!q.target?.trim())
        throw new GatewayError(
          400,
          "invalid_request_error",
          "target: the language to translate into, e.g. ?target=English",
          "invalid_target",
          "target",
        );
      let glossary: Record<string, string> | undefined;
      try {
        glossary = q.glossary ? (JSON.parse(q.glossary) as Record<string, string>) : undefined;
      } catch {
        throw new GatewayError(
          400,
          "invalid_request_error",
          'glossary: a JSON object, e.g. {"benih":"seed"}',
          "invalid_glossary",
          "glossary",
        );
      }
      const bytes = request.body as Buffer | undefined;
      if (!bytes?.length) throw new GatewayError(400, "invalid_request_error", `${name} is empty`, "empty_file");
      const doc = await read(request, reply, name, false);
      const model = q.model ?? (await o.defaultModel(request));
      if (!model) throw new GatewayError(400, "invalid_request_error", "model: this market offers no model; name one", "no_model", "model");
      const { send, end, gone } = openEventStream(request, reply);
      const emit = <E extends keyof DocumentTranslationEvents>(event: E, data: DocumentTranslationEvents[E]) => send(event, data);
      try {
        const text = await translateDocument({
          client: o.client,
          model,
          caller: callerOf(request),
          text: doc.pages.map((p) => p.text).join("\n\n"),
          target: q.target.trim(),
          ...(glossary && { glossary }),
          signal: gone,
          onProgress: (done, total) => emit("progress", { done, total }),
        });
        emit("done", {
          name: `${doc.title}.${q.target
            .trim()
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, "-")}.md`,
          markdown: text,
        });
      } catch (err) {
        const e =
          err instanceof ModelError
            ? { status: err.status, message: err.message, ...(err.code && { code: err.code }) }
            : { status: 502, message: (err as Error).message };
        emit("error", e);
      }
      end();
    });
    scope.post("/v1/knowledge/documents", access("person"), async (request, reply) => {
      const name = ((request.query as { name?: string }).name ?? "").trim();
      if (!name)
        throw new GatewayError(400, "invalid_request_error", "name: give the file's name, e.g. ?name=report.pdf", "invalid_name", "name");
      const bytes = request.body as Buffer | undefined;
      if (!bytes?.length) throw new GatewayError(400, "invalid_request_error", `${name} is empty`, "empty_file");
      const doc = await read(request, reply, name, true);
      let row: KbDocument;
      try {
        row = await o
          .storeFor(request)
          .add(
            { owner: ownerOf(request), title: doc.title, source: name, mime: doc.mime, bytes: bytes.length, pages: doc.pageCount },
            doc.passages ?? [],
            Date.now(),
            { maxOwnerBytes: limits.maxOwnerBytes },
          );
      } catch (err) {
        if (!(err instanceof KnowledgeQuotaError)) throw err;
        const message = `${name} would bring your documents to ${sizeOf(err.used + err.adding)}, over the limit of ${sizeOf(err.quota)} per key (maxOwnerBytes); delete some documents first`;
        throw new GatewayError(413, "invalid_request_error", message, "knowledge_quota_exceeded");
      }
      // Searchable by keywords now; by meaning as its passages are embedded, in the background.
      const model = o.embedding?.modelFor(request);
      if (model && row.chunks) o.embedding!.kick(request);
      return reply.code(201).send(model ? { ...row, embedding: { model, done: 0, total: row.chunks, error: null } } : row);
    });
  });
}
