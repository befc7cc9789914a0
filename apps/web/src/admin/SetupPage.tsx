import type { ProviderSetting, SettingsView, SkillSetting } from "@benih/contracts";
import { api, type AdminError } from "./api.ts";
import { usePoll } from "./poll.ts";
import { Problem } from "./Problem.tsx";
import { fields, type Words } from "./text.ts";

type WordKey = keyof Words;
const SKILL_NAMES: Record<string, WordKey> = {
  chat: "skillChat",
  search: "skillSearch",
  web: "skillWeb",
  translate: "skillTranslate",
  write: "skillWrite",
  image: "skillImage",
  video: "skillVideo",
  speech: "skillSpeech",
  transcription: "skillTranscription",
};
/** The configuration key that turns each skill on. */
const SKILL_KEYS: Record<string, string> = {
  web: "assistant.webSearch",
  image: "assistant.images",
  video: "assistant.videos",
  transcription: "assistant.transcription",
};
const REGIONS: Record<string, WordKey> = { local: "regionLocal", global: "regionGlobal", cn: "regionCn" };

/** A sentence in the admin's language with its fields (a variable, a config key) in code spans. */
function Say({ text, values }: { text: string; values: Record<string, string> }) {
  return (
    <>
      {fields(text).map((part, i) =>
        "field" in part ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one sentence, in order
          <code key={i}>{values[part.field] ?? part.field}</code>
        ) : (
          part.text
        ),
      )}
    </>
  );
}

function region(r: string | null, w: Words) {
  const key = r ? REGIONS[r] : undefined;
  return key ? w[key] : r;
}

function providerNeeds(p: Extract<ProviderSetting, { configured: false }>, w: Words) {
  return p.env ? <Say text={w.needsEnv} values={{ key: p.env }} /> : <Say text={w.needsProvider} values={{ key: "providers" }} />;
}

function skillNeeds(name: string, s: SkillSetting, w: Words) {
  // Set up: the models it uses (the first is the one the app uses), or how it works without one.
  if (s.configured) return s.slideshow ? w.slideshow : s.models?.join(", ") || null;
  if (name === "video") return <Say text={w.needsVideo} values={{ key: SKILL_KEYS.video!, tool: "ffmpeg" }} />;
  // A skill this page does not know yet: the key the server's own hint names, when it names one.
  const key = SKILL_KEYS[name] ?? /\bassistant\.\w+/.exec(s.set ?? "")?.[0];
  return key ? <Say text={w.needsConfig} values={{ key }} /> : null;
}

/** What this server has set up for the market of this host, and for what it has not, what each needs. */
export function SetupPage({ w, onAuth }: { w: Words; onAuth: (e: AdminError) => void }) {
  const settings = usePoll(() => api.settings(), 30_000, "settings");
  if (settings.error) return <Problem error={settings.error} w={w} onAuth={onAuth} />;
  if (!settings.data) return null;
  const s: SettingsView = settings.data;
  const state = (configured: boolean) => (
    <span className={configured ? "ok" : "missing"}>{configured ? `✓ ${w.configured}` : w.notConfigured}</span>
  );
  return (
    <div className="setup" data-testid="setup">
      <p className="meta">{w.setupIntro}</p>
      <section>
        <h2>{w.models}</h2>
        {s.models.length ? (
          <ul className="setup-list" data-testid="setup-models">
            {s.models.map((m) => (
              <li key={m}>
                <code>{m}</code>
              </li>
            ))}
          </ul>
        ) : (
          <p className="notice">{w.noModels}</p>
        )}
      </section>
      <section>
        <h2>{w.skills}</h2>
        <ul className="setup-list" data-testid="setup-skills">
          {Object.entries(s.skills).map(([name, skill]) => {
            const needs = skillNeeds(name, skill, w);
            return (
              <li key={name} data-configured={skill.configured} data-skill={name}>
                <strong>{SKILL_NAMES[name] ? w[SKILL_NAMES[name]] : name}</strong> {state(skill.configured)}
                {needs && <div className="meta">{needs}</div>}
              </li>
            );
          })}
        </ul>
      </section>
      <section>
        <h2>{w.providers}</h2>
        <ul className="setup-list" data-testid="setup-providers">
          {s.providers.map((p) => (
            <li key={p.name} data-configured={p.configured} data-provider={p.name}>
              <strong>{p.name}</strong> {state(p.configured)}
              <div className="meta">{p.configured ? region(p.region, w) : providerNeeds(p, w)}</div>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
