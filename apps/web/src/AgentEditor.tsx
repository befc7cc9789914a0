import { useEffect, useState } from "react";
import { getMcpTools, type McpTools } from "./api/mcp.ts";
import { createAgent, deleteAgent, updateAgent } from "./api/server.ts";
import type { AgentView } from "@benih/contracts";
import { SKILLS } from "./composer/skills.ts";
import { Dialog } from "./Dialog.tsx";
import { fillText, skillLabel, t, type Locale } from "./i18n.ts";
import { ConfirmDialog } from "./sidebar/ConfirmDialog.tsx";

/**
 * Makes an agent, or changes or deletes one of the user's own: a name, instructions, a model (or the market's
 * default), skills and the market's MCP tools, starter prompts. Built-in agents are not offered here (the server
 * refuses to change them).
 */
export function AgentEditor({
  locale,
  models,
  agent,
  onDone,
  onDeleted,
  onClose,
}: {
  locale: Locale;
  models: string[];
  /** The agent to change; a new one is made without it. */
  agent?: AgentView;
  onDone(a: AgentView): void;
  onDeleted?(id: string): void;
  onClose(): void;
}) {
  const [name, setName] = useState(typeof agent?.name === "string" ? agent.name : "");
  const [instructions, setInstructions] = useState(agent?.instructions ?? "");
  const [model, setModel] = useState(agent?.model ?? "");
  const [skills, setSkills] = useState<string[]>(agent?.skills ?? []);
  const [starters, setStarters] = useState(agent?.starters.join("\n") ?? "");
  const [toolUse, setToolUse] = useState(agent?.toolUse ?? false);
  const [error, setError] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const [mcp, setMcp] = useState<McpTools>();
  useEffect(() => {
    // A server without MCP tools lists none; one that cannot list them just shows no tools to choose.
    getMcpTools().then(setMcp, () => setMcp({ data: [], errors: [] }));
  }, []);
  const toggle = (id: string, on: boolean) => setSkills(on ? [...skills, id] : skills.filter((x) => x !== id));
  const heading = t(locale, agent ? "editAgent" : "newAgent");
  const body = {
    name: name.trim(),
    instructions,
    model: model || null,
    skills,
    starters: starters
      .split("\n")
      .map((x) => x.trim())
      .filter(Boolean),
    toolUse,
  };
  return (
    <Dialog label={heading} onClose={onClose} testId="agent-dialog">
      <form
        className="agent-editor"
        data-testid="agent-editor"
        onSubmit={(e) => {
          e.preventDefault();
          void (agent ? updateAgent(agent.id, body) : createAgent(body)).then(onDone, (err: Error) => setError(err.message));
        }}
      >
        <header>
          <h2>{heading}</h2>
          <button type="button" className="ghost" onClick={onClose}>
            {t(locale, "close")}
          </button>
        </header>
        <label>
          {t(locale, "agentName")}
          <input data-testid="agent-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required />
        </label>
        <label>
          {t(locale, "instructions")}
          <textarea data-testid="agent-instructions" value={instructions} onChange={(e) => setInstructions(e.target.value)} rows={4} />
        </label>
        <label>
          {t(locale, "model")}
          <select data-testid="agent-model" value={model} onChange={(e) => setModel(e.target.value)}>
            <option value="">{t(locale, "defaultModel")}</option>
            {models.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t(locale, "skills")}</legend>
          {SKILLS.map((s) => (
            <label key={s} className="check">
              <input
                type="checkbox"
                data-testid={`agent-skill-${s}`}
                checked={skills.includes(s)}
                onChange={(e) => toggle(s, e.target.checked)}
              />{" "}
              {skillLabel(locale, s)}
            </label>
          ))}
        </fieldset>
        {mcp && (mcp.data.length > 0 || mcp.errors.length > 0) && (
          <fieldset className="mcp-tools" data-testid="agent-mcp-tools">
            <legend>{t(locale, "mcpTools")}</legend>
            {mcp.data.map((tool) => (
              <label key={tool.id} className="check">
                <input
                  type="checkbox"
                  data-testid={`agent-tool-${tool.id}`}
                  checked={skills.includes(tool.id)}
                  onChange={(e) => toggle(tool.id, e.target.checked)}
                />{" "}
                <span>
                  <code>
                    {tool.server}/{tool.tool}
                  </code>
                  {tool.confirm && <span className="meta"> · {t(locale, "mcpToolAsks")}</span>}
                  {tool.description && <span className="meta tool-description"> — {tool.description}</span>}
                </span>
              </label>
            ))}
            {mcp.errors.map((e) => (
              <p key={e.server} className="meta">
                {fillText(t(locale, "mcpToolsUnavailable"), e)}
              </p>
            ))}
          </fieldset>
        )}
        <label className="check">
          <input type="checkbox" checked={toolUse} onChange={(e) => setToolUse(e.target.checked)} /> {t(locale, "toolUse")}
        </label>
        <label>
          {t(locale, "starters")}
          <textarea data-testid="agent-starters" value={starters} onChange={(e) => setStarters(e.target.value)} rows={3} />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          {agent && (
            <button type="button" className="danger" data-testid="agent-delete" onClick={() => setConfirming(true)}>
              {t(locale, "deleteAgent")}
            </button>
          )}
          <button type="submit" className="primary" data-testid="agent-save" disabled={!name.trim()}>
            {t(locale, "save2")}
          </button>
        </div>
      </form>
      {agent && confirming && (
        <ConfirmDialog
          locale={locale}
          testId="agent-delete-dialog"
          title={t(locale, "deleteAgent")}
          body={fillText(t(locale, "deleteAgentBody"), { name: body.name || agent.id })}
          action={t(locale, "delete")}
          onClose={() => setConfirming(false)}
          onConfirm={() =>
            void deleteAgent(agent.id).then(
              () => onDeleted?.(agent.id),
              (err: Error) => {
                setConfirming(false);
                setError(err.message);
              },
            )
          }
        />
      )}
    </Dialog>
  );
}
