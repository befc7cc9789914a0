import type { WritingTemplate } from "@benih/contracts";
import { Fragment, type ReactNode } from "react";
import type { Settings } from "../api/types.ts";
import { t, type Locale, type TextKey } from "../i18n.ts";
import { GlobeIcon, SearchIcon } from "../icons.tsx";
import { skillHint } from "../skillHints.ts";
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

const CHIPS: Array<{ skill: Skill; label: TextKey; icon?: ReactNode; needsSetup?: boolean }> = [
  { skill: "search", label: "skillSearch", icon: <SearchIcon /> },
  { skill: "web", label: "skillWeb", icon: <GlobeIcon />, needsSetup: true },
  { skill: "image", label: "skillImage", needsSetup: true },
  { skill: "video", label: "skillVideo", needsSetup: true },
  { skill: "translate", label: "skillTranslate" },
  { skill: "write", label: "skillWrite" },
];

/** One chip per skill (one on at a time), each followed by its options while it is on. */
export function SkillChips({ locale, skill, onSkill, fields, onFields, settings }: Props) {
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
              <option key={x}>{x}</option>
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
  return (
    <div className="chips">
      {CHIPS.map(({ skill: s, label, icon, needsSetup }) => (
        <Fragment key={s}>
          <button
            type="button"
            className={`chip ${skill === s ? "on" : ""}`}
            aria-pressed={skill === s}
            data-testid={`skill-${s}`}
            onClick={() => onSkill(skill === s ? null : s)}
            {...(needsSetup && { disabled: !settings?.skills[s]?.configured, title: skillHint(locale, s, settings?.skills[s]) ?? "" })}
          >
            {icon}
            {icon && " "}
            {t(locale, label)}
          </button>
          {skill === s && options[s]}
        </Fragment>
      ))}
    </div>
  );
}
