import type { WritingTemplate } from "@benih/contracts";
import { Fragment, useState, type ReactNode } from "react";
import type { Settings } from "../api/types.ts";
import { t, type Locale, type TextKey, fillText } from "../i18n.ts";
import { GlobeIcon, SearchIcon } from "../icons.tsx";
import { skillHint } from "../skillHints.ts";
import { languageName } from "../languageName.ts";
import { SIZES, TARGETS, TEMPLATES, type OptionFields, type Skill } from "./skills.ts";

interface Props {
  locale: Locale;
  skill: Skill | null;
  onSkill(s: Skill | null): void;
  fields: OptionFields;
  onFields(f: OptionFields): void;
  /** What the server has set up: a skill it has not is offered disabled, saying what to set. */
  settings: Settings | null;
}

/** `needsSetup`: the name of what the server must set up first, when it is one it may not have. */
const CHIPS: Array<{ skill: Skill; label: TextKey; icon?: ReactNode; needsSetup?: TextKey }> = [
  { skill: "search", label: "skillSearch", icon: <SearchIcon /> },
  { skill: "web", label: "skillWeb", icon: <GlobeIcon />, needsSetup: "nameWeb" },
  { skill: "image", label: "skillImage", needsSetup: "nameImage" },
  { skill: "video", label: "skillVideo", needsSetup: "nameVideo" },
  { skill: "translate", label: "skillTranslate" },
  { skill: "write", label: "skillWrite" },
];

/**
 * One chip per skill (one on at a time), each followed by its options while it is on. A skill the server has not set
 * up is greyed; tapping it says why (a tooltip alone is never seen on a phone).
 */
export function SkillChips({ locale, skill, onSkill, fields, onFields, settings }: Props) {
  const [why, setWhy] = useState<Skill | null>(null);
  const unavailable = (s: Skill, needsSetup: TextKey | undefined) => !!needsSetup && !settings?.skills[s]?.configured;
  const set = (f: Partial<OptionFields>) => onFields({ ...fields, ...f });
  const options: Partial<Record<Skill, ReactNode>> = {
    image: (
      <>
        <label className="chip-option">
          {t(locale, "size")}{" "}
          <select data-testid="image-size" value={fields.size} onChange={(e) => set({ size: e.target.value })}>
            {SIZES.map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
        </label>
        <label className="chip-option">
          {t(locale, "seed")}{" "}
          <input
            data-testid="image-seed"
            inputMode="numeric"
            size={7}
            value={fields.seed}
            onChange={(e) => set({ seed: e.target.value.replace(/\D/g, "") })}
          />
        </label>
      </>
    ),
    translate: (
      <>
        <label className="chip-option">
          {t(locale, "into")}{" "}
          <select data-testid="translate-target" value={fields.target} onChange={(e) => set({ target: e.target.value })}>
            {TARGETS.map((x) => (
              <option key={x.name} value={x.name}>
                {languageName(locale, x.code) ?? x.name}
              </option>
            ))}
          </select>
        </label>
        <textarea
          className="glossary"
          data-testid="glossary"
          rows={2}
          placeholder={t(locale, "glossary")}
          value={fields.glossary}
          onChange={(e) => set({ glossary: e.target.value })}
        />
      </>
    ),
    write: (
      <select
        data-testid="write-template"
        className="chip-option"
        value={fields.template}
        onChange={(e) => set({ template: e.target.value as WritingTemplate })}
      >
        {TEMPLATES.map((x) => (
          <option key={x} value={x}>
            {t(locale, x)}
          </option>
        ))}
      </select>
    ),
  };
  const whyChip = CHIPS.find((c) => c.skill === why);
  return (
    <div className="chips">
      {CHIPS.map(({ skill: s, label, icon, needsSetup }) => {
        const off = unavailable(s, needsSetup);
        return (
          <Fragment key={s}>
            <button
              type="button"
              className={`chip ${skill === s ? "on" : ""} ${off ? "unavailable" : ""}`}
              aria-pressed={skill === s}
              aria-disabled={off || undefined}
              aria-expanded={off ? why === s : undefined}
              data-testid={`skill-${s}`}
              title={skillHint(locale, s, settings?.skills[s]) ?? ""}
              onClick={() => (off ? setWhy(why === s ? null : s) : (setWhy(null), onSkill(skill === s ? null : s)))}
            >
              {icon}
              {icon && " "}
              {t(locale, label)}
            </button>
            {skill === s && options[s]}
          </Fragment>
        );
      })}
      {whyChip?.needsSetup && (
        <div className="chip-why" role="status" data-testid="chip-why" onKeyDown={(e) => e.key === "Escape" && setWhy(null)}>
          <p>{fillText(t(locale, "skillNotSetUp"), { skill: t(locale, whyChip.needsSetup) })}</p>
          {/* What to set, as the server says it to its admin (English: an admin reads the configuration in it). */}
          {settings?.skills[whyChip.skill]?.set && <p className="meta">{settings.skills[whyChip.skill]?.set}</p>}
          <button type="button" className="ghost" onClick={() => setWhy(null)}>
            {t(locale, "dismiss")}
          </button>
        </div>
      )}
    </div>
  );
}
