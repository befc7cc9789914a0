import { useState } from "react";
import { createAgent } from "./api/server.ts";
import type { AgentView } from "@benih/contracts";
import { SKILLS } from "./composer/skills.ts";
import { t, type Locale } from "./i18n.ts";

/** Makes an agent: a name, instructions, a model (or the market's default), skills, starter prompts. */
export function AgentEditor({
  locale,
  models,
  onDone,
  onClose,
}: {
  locale: Locale;
  models: string[];
  onDone(a: AgentView): void;
  onClose(): void;
}) {
  const [name, setName] = useState("");
  const [instructions, setInstructions] = useState("");
  const [model, setModel] = useState("");
  const [skills, setSkills] = useState<string[]>([]);
  const [starters, setStarters] = useState("");
  const [toolUse, setToolUse] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <form
      className="panel agent-editor"
      data-testid="agent-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void createAgent({
          name: name.trim(),
          instructions,
          model: model || null,
          skills,
          starters: starters
            .split("\n")
            .map((x) => x.trim())
            .filter(Boolean),
          toolUse,
        }).then(onDone, (err: Error) => setError(err.message));
      }}
    >
      <header>
        <h2>{t(locale, "newAgent")}</h2>
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
        <select value={model} onChange={(e) => setModel(e.target.value)}>
          <option value="">—</option>
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
              onChange={(e) => setSkills(e.target.checked ? [...skills, s] : skills.filter((x) => x !== s))}
            />{" "}
            {s}
          </label>
        ))}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={toolUse} onChange={(e) => setToolUse(e.target.checked)} /> {t(locale, "toolUse")}
      </label>
      <label>
        {t(locale, "starters")}
        <textarea data-testid="agent-starters" value={starters} onChange={(e) => setStarters(e.target.value)} rows={3} />
      </label>
      {error && <p className="error">{error}</p>}
      <button type="submit" className="primary" data-testid="agent-save" disabled={!name.trim()}>
        {t(locale, "save2")}
      </button>
    </form>
  );
}
