import type { CreatedKeyView, PersonKeyView } from "@benih/contracts";
import { type FormEvent, useEffect, useState } from "react";
import { myKeys } from "../api/account.ts";
import { fillText, type Locale } from "../i18n.ts";
import { ConfirmDialog } from "../sidebar/ConfirmDialog.tsx";
import { at } from "../text/account.ts";
import { useCopy } from "../thread/useCopy.ts";
import { errorText } from "./errors.ts";

/** The person's own API keys: make one (its secret shown once), see when each was used, revoke one. */
export function KeysSection({ locale }: { locale: Locale }) {
  const [keys, setKeys] = useState<PersonKeyView[]>();
  const [error, setError] = useState<unknown>();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedKeyView>();
  const [revoking, setRevoking] = useState<PersonKeyView>();
  const [copied, copy] = useCopy();
  useEffect(() => {
    myKeys.list().then(setKeys, setError);
  }, []);

  const date = (ms: number) => new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(ms);

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const made = await myKeys.create(name.trim());
      setCreated(made);
      const { key: _secret, ...shown } = made;
      setKeys((ks) => [shown, ...(ks ?? [])]);
      setName("");
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  }

  async function revoke(k: PersonKeyView) {
    setRevoking(undefined);
    setError(undefined);
    try {
      await myKeys.revoke(k.id);
      setKeys((ks) => ks?.filter((x) => x.id !== k.id));
      if (created?.id === k.id) setCreated(undefined);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="account-part" aria-labelledby="keys-title">
      <h3 id="keys-title">{at(locale, "keysTitle")}</h3>
      <p className="meta">{at(locale, "keysIntro")}</p>
      <form className="key-form" onSubmit={(e) => void create(e)}>
        <label>
          <span className="sr">{at(locale, "keyName")}</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={at(locale, "keyNamePlaceholder")}
            maxLength={100}
            required
            data-testid="key-name"
          />
        </label>
        <button type="submit" disabled={busy || !name.trim()} data-testid="key-create">
          {at(locale, "keyCreate")}
        </button>
      </form>
      {created && (
        <div className="key-secret" role="status">
          <p>{at(locale, "keyShownOnce")}</p>
          <code data-testid="key-secret">{created.key}</code>
          <div className="key-secret-actions">
            <button type="button" onClick={() => copy(created.key)}>
              {at(locale, copied ? "copied" : "copy")}
            </button>
            <button type="button" className="ghost" onClick={() => setCreated(undefined)}>
              {at(locale, "done")}
            </button>
          </div>
        </div>
      )}
      {error !== undefined && <p role="alert">{errorText(locale, error)}</p>}
      {!keys && error === undefined && <p className="meta">{at(locale, "loading")}</p>}
      {keys?.length === 0 && <p className="meta">{at(locale, "keysNone")}</p>}
      {keys && keys.length > 0 && (
        <ul className="key-list">
          {keys.map((k) => (
            <li key={k.id} data-testid="key-row">
              <div>
                <strong>{k.name}</strong> <code>{k.hint}</code>
                <div className="meta">
                  {fillText(at(locale, "keyCreated"), { date: date(k.createdAt) })} ·{" "}
                  {k.lastUsedAt === null ? at(locale, "keyNeverUsed") : fillText(at(locale, "keyLastUsed"), { date: date(k.lastUsedAt) })}
                </div>
              </div>
              <button type="button" className="ghost" onClick={() => setRevoking(k)} data-testid="key-revoke">
                {at(locale, "keyRevoke")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {revoking && (
        <ConfirmDialog
          locale={locale}
          title={fillText(at(locale, "keyRevokeTitle"), { name: revoking.name })}
          body={at(locale, "keyRevokeBody")}
          action={at(locale, "keyRevoke")}
          onConfirm={() => void revoke(revoking)}
          onClose={() => setRevoking(undefined)}
          testId="key-revoke-dialog"
        />
      )}
    </section>
  );
}
