import { useImperativeHandle, useState, type Ref } from "react";
import type { MessageRequest } from "../api/conversations.ts";
import type { Settings } from "../api/types.ts";
import { t, type Locale } from "../i18n.ts";
import { PaperclipIcon } from "../icons.tsx";
import { SkillChips } from "./SkillChips.tsx";
import { defaultOptions, isSkill, optionsFor, type OptionFields, type Skill } from "./skills.ts";
import { UploadList } from "./UploadList.tsx";
import { useUploads } from "./useUploads.ts";

/** What the rest of the page may do to the composer. */
export interface ComposerHandle {
  /** Puts text in the input (a starter prompt). */
  fill(text: string): void;
  /** Turns on a skill, or none: an agent's first skill when it is chosen. */
  chooseSkill(skill: string | undefined): void;
  /** Makes the next message change this drawn image. */
  changeImage(id: string): void;
}

interface Props {
  ref?: Ref<ComposerHandle>;
  locale: Locale;
  model: string;
  settings: Settings | null;
  streaming: boolean;
  onSend(message: Omit<MessageRequest, "model">): void;
  onStop(): void;
}

/** The message input with its attachments, skill chips and their options; sends on Enter. */
export function Composer({ ref, locale, model, settings, streaming, onSend, onStop }: Props) {
  const [draft, setDraft] = useState("");
  const [skill, setSkill] = useState<Skill | null>(null);
  const [fields, setFields] = useState<OptionFields>(defaultOptions);
  /** A drawn image the next message changes (image skill). */
  const [changing, setChanging] = useState<string | null>(null);
  const files = useUploads();

  useImperativeHandle(ref, () => ({
    fill: setDraft,
    chooseSkill: (s) => setSkill(isSkill(s) ? s : null),
    changeImage: (id) => {
      setSkill("image");
      setChanging(id);
    },
  }));

  function send() {
    const content = draft.trim();
    if (!content || streaming || !model) return;
    setDraft("");
    const options = optionsFor(skill, fields, changing);
    setChanging(null);
    // Documents uploaded since the last message go with this one: it is answered from them.
    const attachments = files.take();
    onSend({ content, ...(skill && { skill }), ...(options && { options }), ...(attachments.length && { attachments }) });
  }

  return (
    <div className="dock">
      <UploadList
        uploads={files.uploads}
        locale={locale}
        translating={skill === "translate"}
        onTranslate={(u) => void files.translate(u, fields.target, model)}
        onRemove={files.remove}
      />
      <form
        className="composer"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <label className="attach button ghost" title={t(locale, "attach")}>
          <PaperclipIcon />
          <span className="sr">{t(locale, "attach")}</span>
          <input
            type="file"
            data-testid="attach"
            accept=".pdf,.docx,.md,.markdown,.html,.htm,.txt"
            multiple
            onChange={(e) => {
              if (e.target.files?.length) void files.attach(Array.from(e.target.files));
              e.target.value = "";
            }}
          />
        </label>
        <textarea
          data-testid="input"
          value={draft}
          placeholder={t(locale, "placeholder")}
          rows={1}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        {streaming ? (
          <button type="button" data-testid="stop" onClick={onStop}>
            {t(locale, "stop")}
          </button>
        ) : (
          <button type="submit" data-testid="send" disabled={!draft.trim() || !model}>
            {t(locale, "send")}
          </button>
        )}
      </form>
      {changing && skill === "image" && (
        <p className="meta changing" data-testid="changing">
          {t(locale, "changing")} {changing}{" "}
          <button type="button" className="ghost" onClick={() => setChanging(null)}>
            ×
          </button>
        </p>
      )}
      <SkillChips locale={locale} skill={skill} onSkill={setSkill} fields={fields} onFields={setFields} settings={settings} />
    </div>
  );
}
