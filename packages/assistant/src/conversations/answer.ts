import type { AnswerEvents } from "@benih/contracts";
import { GatewayError } from "@benih/gateway";
import type { AgentStore, ConversationStore, Message } from "@benih/store";
import type { FastifyReply, FastifyRequest } from "fastify";
import { agentOf } from "../agents/routes.ts";
import { callerOf } from "../caller.ts";
import { openEventStream } from "../event-stream.ts";
import { parse } from "../http.ts";
import { readMeta } from "../meta.ts";
import type { ModelClient } from "../model-client.ts";
import { respond } from "../respond.ts";
import type { SkillRegistry } from "../skills/registry.ts";
import type { Skill, SkillServices } from "../skills/skill.ts";
import { skillTools } from "../skills/tools.ts";
import { withSiblings } from "../thread.ts";

export interface AnswerOptions extends SkillServices {
  skills: SkillRegistry;
  client: ModelClient;
  agentsFor(request: FastifyRequest): AgentStore;
  flushMs?: number;
}

/** A 400 saying what to configure, when `skill` cannot run on this server. */
export function refuseUnavailable(skill: Skill, services: SkillServices): void {
  const missing = skill.unavailable?.(services);
  if (missing) throw new GatewayError(400, "invalid_request_error", missing, "skill_not_configured", "skill");
}

/** The reply as the events of an answer (see `answerEvents` in the contracts). */
function answerStream(request: FastifyRequest, reply: FastifyReply) {
  const { send, end, gone } = openEventStream(request, reply);
  return { emit: <E extends keyof AnswerEvents>(event: E, data: AnswerEvents[E]) => send(event, data), end, gone };
}

/**
 * Answers `question` as server-sent events: the user message (when new), the answer's start, its text, its end.
 * The question's skill answers it: under the instructions it gives the model (an agent's come first), or with
 * media of its own. A question with documents attached and no skill is answered from them by the search skill.
 */
export async function streamAnswer(
  o: AnswerOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  at: { store: ConversationStore; conversation: { id: string; agent: string | null }; question: Message; model: string; sendUser: boolean },
) {
  const { store, conversation, question, model } = at;
  const meta = readMeta(question.meta);
  const id = meta.skill ?? (meta.attachments?.length ? "search" : undefined);
  const skill = id === undefined ? undefined : o.skills.get(id);
  if (skill) refuseUnavailable(skill, o);
  const chip = skill && (await skill.answer({ request, services: o, question, meta }, parse(skill.options, meta.options ?? {}, "options")));
  const agent = await agentOf(request, o.agentsFor(request), conversation.agent);

  if (chip?.kind === "media") {
    const answer = await store.addMessage({
      conversation_id: conversation.id,
      parent_id: question.id,
      role: "assistant",
      content: chip.content,
      status: "done",
      model: chip.model,
      meta: chip.meta,
    });
    const { emit, end } = answerStream(request, reply);
    if (at.sendUser) emit("user", withSiblings([question])[0]!);
    emit("answer", { id: answer.id, parent_id: question.id, model: answer.model, meta: chip.meta });
    if (answer.content) emit("delta", { text: answer.content });
    emit("done", { id: answer.id, status: "done" });
    return end();
  }

  const { emit, end, gone } = answerStream(request, reply);
  if (at.sendUser) emit("user", withSiblings([question])[0]!);
  const system = [agent?.instructions, chip?.system].filter(Boolean).join("\n\n");
  // An agent that uses tools offers its skills' tools to the model, unless the user chose a skill for this message.
  const tools = !meta.skill && agent?.toolUse ? skillTools(o.skills.tools(agent.skills, o), request, o) : undefined;
  const answer = await respond({
    store,
    client: o.client,
    conversationId: conversation.id,
    parent: question,
    model,
    caller: callerOf(request),
    signal: gone,
    ...(o.flushMs !== undefined && { flushMs: o.flushMs }),
    ...(system && { system }),
    ...(tools && { tools }),
    ...(chip && { meta: chip.meta }),
    onStart: (m) => emit("answer", { id: m.id, parent_id: m.parent_id, model, meta: chip?.meta ?? {} }),
    onText: (text) => emit("delta", { text }),
  });
  emit("done", {
    id: answer.message.id,
    status: answer.status,
    ...(answer.finishReason && { finishReason: answer.finishReason }),
    ...(answer.error && { error: answer.error }),
  });
  end();
}
