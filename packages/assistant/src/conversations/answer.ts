import type { AnswerEvents, MessageMeta } from "@benih/contracts";
import { GatewayError, traced, type TraceSpan } from "@benih/gateway";
import type { AgentStore, ConversationStore, Message } from "@benih/store";
import type { FastifyReply, FastifyRequest } from "fastify";
import { agentOf } from "../agents/routes.ts";
import { callerOf } from "../caller.ts";
import { openEventStream } from "../event-stream.ts";
import { readMeta } from "../meta.ts";
import type { ContextWindow } from "../context-budget.ts";
import type { ModelClient } from "../model-client.ts";
import { respond } from "../respond.ts";
import type { SkillRegistry } from "../skills/registry.ts";
import type { Skill, SkillServices } from "../skills/skill.ts";
import { skillTools } from "../skills/tools.ts";
import { withSiblings } from "../thread.ts";
import type { AnswerStops } from "./answer-stops.ts";
import { fitAnswer } from "./fit-answer.ts";
import { dataUrlsOf, needsVision } from "./images.ts";
import { ownerOf, parse } from "../http.ts";
import { fitMemories, withMemoryMeta } from "../memory/fit-memories.ts";
import { mcpAnswerTools } from "../mcp-client/answer-tools.ts";
import type { McpClients } from "../mcp-client/clients.ts";
import type { ToolConfirmations } from "../mcp-client/confirmations.ts";
import { joinTools } from "../mcp-client/join-tools.ts";
import { recallMemories, type MemoryServices } from "../memory/recall.ts";

export interface AnswerOptions extends SkillServices, MemoryServices {
  skills: SkillRegistry;
  client: ModelClient;
  agentsFor(request: FastifyRequest): AgentStore;
  /** Stops asked for on any instance reach the answers streaming here. */
  stops: AnswerStops;
  flushMs?: number;
  /** While an answer waits for the person's OK to a tool call, a comment is sent this often (default 15 s). */
  keepaliveMs?: number;
  /** A model's context where it is known (local models), and how its tokens are counted: prompts are fitted to it. */
  contextWindow?(model: string): ContextWindow | undefined;
  /**
   * Whether a model follows instructions in a prompt (a skill's, with passages or a text to translate); one that
   * does not gets passages quoted instead, and other skills' prompts answered with a notice.
   */
  followsInstructions?(model: string): boolean;
  /** Whether a model that follows no other instructions answers from the search skill's passages (its card says so). */
  answersFromSources?(model: string): boolean;
  /** MCP servers whose tools agents name (`mcp:<server>/<tool>`), and the calls waiting for the person's OK. */
  mcp?: { clients: McpClients; confirmations: ToolConfirmations };
}

/** A 400 saying what to configure, when `skill` cannot run on this server. */
export function refuseUnavailable(skill: Skill, services: SkillServices): void {
  const missing = skill.unavailable?.(services);
  if (missing) throw new GatewayError(400, "invalid_request_error", missing, "skill_not_configured", "skill");
}

/** The reply as the events of an answer (see `answerEvents` in the contracts). */
function answerStream(request: FastifyRequest, reply: FastifyReply) {
  const { send, keepalive, end, gone } = openEventStream(request, reply);
  return { emit: <E extends keyof AnswerEvents>(event: E, data: AnswerEvents[E]) => send(event, data), keepalive, end, gone };
}

/**
 * Answers `question` as server-sent events: the user message (when new), the answer's start, its text, its end.
 * The question's skill answers it: under the instructions it gives the model (an agent's come first), or with
 * media of its own. A question with documents attached and no skill is answered from them by the search skill;
 * its images attached go to the model with it (or to the image skill, which changes the first).
 */
export async function streamAnswer(
  o: AnswerOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  at: { store: ConversationStore; conversation: { id: string; agent: string | null }; question: Message; model: string; sendUser: boolean },
) {
  const { question, model } = at;
  const meta = readMeta(question.meta);
  const id = meta.skill ?? (meta.attachments?.length ? "search" : undefined);
  // One span for the answer (tracing on): the skill's work, the store's writes and the model call go under it.
  const span = request.span?.child(id ? `skill ${id}` : "answer", { "benih.skill": id ?? "chat", "gen_ai.request.model": model });
  try {
    await answerWith(o, request, reply, at, { meta, id, span });
  } catch (err) {
    span?.fail((err as Error).message);
    throw err;
  } finally {
    span?.end();
  }
}

/**
 * Whether a model is handed a sourced question's passages: one that follows instructions always; one that follows
 * no other only for questions on the knowledge base, when its card says it answers from sources (attachments,
 * "summarise this", and web pages ask more of it than looking a sentence up).
 */
export const handedSources = (o: Pick<AnswerOptions, "followsInstructions" | "answersFromSources">, model: string, meta: MessageMeta) =>
  o.followsInstructions?.(model) !== false ||
  (meta.skill === "search" && !meta.attachments?.length && o.answersFromSources?.(model) === true);

async function answerWith(
  o: AnswerOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  at: { store: ConversationStore; conversation: { id: string; agent: string | null }; question: Message; model: string; sendUser: boolean },
  { meta, id, span }: { meta: ReturnType<typeof readMeta>; id: string | undefined; span: TraceSpan | undefined },
) {
  const { store, conversation, question, model } = at;
  const skill = id === undefined ? undefined : o.skills.get(id);
  if (skill) refuseUnavailable(skill, o);
  const chip = skill && (await skill.answer({ request, services: o, question, meta }, parse(skill.options, meta.options ?? {}, "options")));
  const agent = await agentOf(request, o.agentsFor(request), conversation.agent);

  // What the question asks of memory is done first; the memories that fit go after the agent's instructions.
  const recall = await recallMemories(o, request, question, conversation.id);
  const window = o.contextWindow?.(model);
  const memory = fitMemories(recall, { instructions: agent?.instructions, chip, question: question.content, window });
  // Media, and answers the model's context cannot hold, are given without streaming from a model.
  const plan = withMemoryMeta(
    chip?.kind === "media"
      ? { kind: "direct" as const, answer: { content: chip.content, meta: chip.meta }, model: chip.model }
      : fitAnswer({
          chip,
          instructions: memory.instructions,
          question: question.content,
          model,
          window,
          followsInstructions: o.followsInstructions?.(model) !== false,
          answersFromSources: handedSources(o, model, meta),
        }),
    memory.meta,
  );
  if (plan.kind === "direct") {
    const { content, meta } = plan.answer;
    const answer = await traced(span, "store.write messages", () =>
      store.addMessage({
        conversation_id: conversation.id,
        parent_id: question.id,
        role: "assistant",
        content,
        status: "done",
        model: "model" in plan ? plan.model : null,
        meta,
      }),
    );
    const { emit, end } = answerStream(request, reply);
    if (at.sendUser) emit("user", withSiblings([question])[0]!);
    emit("answer", { id: answer.id, parent_id: question.id, model: answer.model, meta });
    if (answer.content) emit("delta", { text: answer.content });
    emit("done", { id: answer.id, status: "done", meta });
    return end();
  }

  const { emit, keepalive, end, gone } = answerStream(request, reply);
  if (at.sendUser) emit("user", withSiblings([question])[0]!);
  const { system, meta: start, budget } = plan;
  // The model sees the message's images with its text; one that cannot see them refuses before it says anything.
  const images = meta.images?.length ? await dataUrlsOf(request, o.images, meta.images) : [];
  const fallback = (refusal: string, code?: string) =>
    code === "unsupported_by_model" ? needsVision(model, start) : plan.fallback(refusal);
  // Stopped when the client goes, or when "stop" is asked for on any instance.
  const stop = new AbortController();
  const signal = AbortSignal.any([gone, stop.signal]);
  let answerId: string | undefined;
  // An agent that uses tools offers its skills' tools and its MCP tools to the model, unless the user chose a skill
  // for this message.
  const useTools = !meta.skill && agent?.toolUse;
  const mcp =
    useTools && o.mcp
      ? await mcpAnswerTools({
          clients: o.mcp.clients,
          confirmations: o.mcp.confirmations,
          store,
          market: request.scope?.market,
          skills: agent.skills,
          owner: ownerOf(request),
          answerId: () => answerId,
          emit,
          keepalive,
          ...(o.keepaliveMs !== undefined && { keepaliveMs: o.keepaliveMs }),
          signal,
          log: (message) => request.log.warn(message),
        })
      : undefined;
  const tools = useTools ? joinTools(skillTools(o.skills.tools(agent.skills, o), request, o), mcp) : undefined;
  let release = () => {};
  const answer = await respond({
    store,
    client: o.client,
    conversationId: conversation.id,
    parent: question,
    model,
    caller: { ...callerOf(request), ...(span && { traceparent: span.traceparent() }) },
    ...(span && { span }),
    signal,
    stop,
    ...(o.flushMs !== undefined && { flushMs: o.flushMs }),
    ...(system && { system }),
    ...(tools && { tools }),
    ...(budget !== undefined && { budget }),
    ...(images.length && { images }),
    meta: start,
    fallback,
    ...(plan.keepIf && { keepIf: plan.keepIf }),
    onStart: (m) => {
      answerId = m.id;
      const untrack = o.stops.track(m.id, stop);
      release = () => {
        untrack();
        void store.clearStop(m.id).catch(() => {});
      };
      emit("answer", { id: m.id, parent_id: m.parent_id, model, meta: start });
    },
    onText: (text) => emit("delta", { text }),
  }).finally(() => release());
  emit("done", {
    id: answer.message.id,
    status: answer.status,
    meta: answer.meta,
    ...(answer.finishReason && { finishReason: answer.finishReason }),
    ...(answer.error && { error: answer.error }),
  });
  end();
}
