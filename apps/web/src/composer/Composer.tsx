import { useImperativeHandle, useState, type Ref } from "react";
import type { MessageRequest } from "../api/conversations.ts";
import type { Settings } from "../api/types.ts";
import { t, type Locale } from "../i18n.ts";
import { CallIcon, PaperclipIcon } from "../icons.tsx";
import { onEnterToSend } from "./enterToSend.ts";
import { acceptOf, namedPaste } from "./fileCheck.ts";
import { MicButton } from "./MicButton.tsx";
import { SkillChips } from "./SkillChips.tsx";
import { defaultOptions, isSkill, optionsFor, type OptionFields, type Skill } from "./skills.ts";
import { UploadList } from "./UploadList.tsx";
import { useFileDrop } from "./useFileDrop.ts";
import { useGrowingInput } from "./useGrowingInput.ts";
import { useUploads } from "./useUploads.ts";

/** What the rest of the page may do to the composer. */
export interface ComposerHandle {
  /** Puts text in the input (a starter prompt). */
  fill(text: string): void;
  /** Turns on a skill, or none: an agent's first skill when it is chosen. */
  chooseSkill(skill: string | undefined): void;
  /** Makes the next message change this drawn image. */
  changeImage(id: string): void;
  /** Another conversation is shown (or a new one started): back to this skill, or none, and no image being changed. */
  reset(skill: string | undefined): void;
}

interface Props {
  ref?: Ref<ComposerHandle>;
  locale: Locale;
  model: string;
  settings: Settings | null;
  streaming: boolean;
  onSend(message: Omit<MessageRequest, "model">): void;
  onStop(): void;
  /** Starts a voice call over this conversation. */
  onCall(): void;
}

/**
 * The message input (it grows with its text) with its attachments (picked, dropped or pasted), skill chips and their
 * options; sends on Enter.
 */
export function Composer({ ref, locale, model, settings, streaming, onSend, onStop, onCall }: Props) {
  const [draft, setDraft] = useState("");
  const [skill, setSkill] = useState<Skill | null>(null);
  const [fields, setFields] = useState<OptionFields>(defaultOptions);
  /** A drawn image the next message changes (image skill). */
  const [changing, setChanging] = useState<string | null>(null);
  /** Why the microphone's last recording was not written out (no speech recognition, no permission). */
  const [micProblem, setMicProblem] = useState<string>();
  const files = useUploads(settings, locale);
  const input = useGrowingInput(draft);
  const drop = useFileDrop((dropped) => void files.attach(dropped));

  useImperativeHandle(ref, () => ({
    fill: setDraft,
    chooseSkill: (s) => setSkill(isSkill(s) ? s : null),
    changeImage: (id) => {
      setSkill("image");
      setChanging(id);
    },
    reset: (s) => {
      setSkill(isSkill(s) ? s : null);
      setChanging(null);
    },
  }));

  function send() {
    const content = draft.trim();
    if (!content || streaming || !model) return;
    setDraft("");
    const options = optionsFor(skill, fields, changing);
    setChanging(null);
    // Files uploaded since the last message go with this one: it is answered from its documents; the model sees its
    // images (the image skill changes the first).
    const { attachments, images } = files.take();
    onSend({
      content,
      ...(skill && { skill }),
      ...(options && { options }),
      ...(attachments.length && { attachments }),
      ...(images.length && { images }),
    });
  }

  return (
    <section
      className={`dock ${drop.over ? "dropping" : ""}`}
      aria-label={t(locale, "composerRegion")}
      data-testid="dock"
      {...drop.handlers}
    >
      {drop.over && (
        <div className="drop-zone" data-testid="drop-zone" aria-hidden="true">
          {t(locale, "dropHere")}
        </div>
      )}
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
        <label className="attach button ghost" title={t(locale, "attachFiles")}>
          <PaperclipIcon />
          <span className="sr">{t(locale, "attachFiles")}</span>
          <input
            type="file"
            data-testid="attach"
            accept={acceptOf(settings)}
            multiple
            onChange={(e) => {
              if (e.target.files?.length) void files.attach(Array.from(e.target.files));
              e.target.value = "";
            }}
          />
        </label>
        <textarea
          ref={input}
          data-testid="input"
          value={draft}
          placeholder={t(locale, "placeholder")}
          aria-label={t(locale, "placeholder")}
          rows={1}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onEnterToSend(send)}
          onPaste={(e) => {
            // Files alone (a screenshot, files copied in a file manager) are attached; text with them is pasted as text.
            const pasted = Array.from(e.clipboardData.files);
            if (!pasted.length || e.clipboardData.types.includes("text/plain")) return;
            e.preventDefault();
            void files.attach(pasted.map((f) => namedPaste(f)));
          }}
        />
        <MicButton
          locale={locale}
          onText={(said) => setDraft((d) => (d.trim() ? `${d.trimEnd()} ${said}` : said))}
          onProblem={setMicProblem}
        />
        <button
          type="button"
          className="ghost call-start"
          data-testid="start-call"
          aria-label={t(locale, "startCall")}
          title={t(locale, "startCall")}
          disabled={streaming || !model}
          onClick={onCall}
        >
          <CallIcon />
        </button>
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
      {micProblem && (
        <p className="meta mic-problem" role="alert" data-testid="mic-problem">
          {micProblem}
        </p>
      )}
      {changing && skill === "image" && (
        <p className="meta changing" data-testid="changing">
          {t(locale, "changing")} {changing}{" "}
          <button type="button" className="ghost" onClick={() => setChanging(null)}>
            ×
          </button>
        </p>
      )}
      <SkillChips locale={locale} skill={skill} onSkill={setSkill} fields={fields} onFields={setFields} settings={settings} />
    </section>
  );
}
