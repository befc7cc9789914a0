import type { InvitationView, PersonRole } from "@benih/contracts";
import { type FormEvent, useId, useState } from "react";
import { useCopy } from "../thread/useCopy.ts";
import { AdminError, api } from "./api.ts";
import { Problem } from "./Problem.tsx";
import { fill, langOf, type Words } from "./text.ts";

/** Makes an invitation link (for anyone, or for one address, mailed there when the server can): shown to copy. */
export function InviteForm({ w, onAuth }: { w: Words; onAuth: (e: AdminError) => void }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<PersonRole>("member");
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<InvitationView>();
  const [error, setError] = useState<AdminError>();
  const [copied, copy] = useCopy();
  const headingId = useId();

  async function invite(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setMade(undefined);
    try {
      setMade(await api.invite({ ...(email.trim() && { email: email.trim() }), role }));
      setEmail("");
    } catch (err) {
      setError(err instanceof AdminError ? err : new AdminError(0, (err as Error).message));
    }
    setBusy(false);
  }

  const until = (ms: number) => new Intl.DateTimeFormat(langOf(w), { dateStyle: "medium", timeStyle: "short" }).format(ms);
  return (
    <section className="invite" aria-labelledby={headingId}>
      <h3 id={headingId}>{w.invite}</h3>
      <p className="meta">{w.inviteIntro}</p>
      <form className="new-run" onSubmit={(e) => void invite(e)}>
        <label>
          {w.inviteEmail}
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={320} data-testid="invite-email" />
        </label>
        <label>
          {w.role}
          <select value={role} onChange={(e) => setRole(e.target.value as PersonRole)} data-testid="invite-role">
            <option value="member">{w.roleMember}</option>
            <option value="admin">{w.roleAdmin}</option>
          </select>
        </label>
        <button type="submit" disabled={busy} data-testid="invite-submit">
          {w.inviteSubmit}
        </button>
      </form>
      {error && <Problem error={error} w={w} onAuth={onAuth} />}
      {made && (
        <div className="invite-made" role="status">
          <div className="invite-link">
            <input readOnly value={made.url} aria-label={w.invite} data-testid="invite-url" onFocus={(e) => e.currentTarget.select()} />
            <button type="button" onClick={() => copy(made.url)} data-testid="invite-copy">
              {copied ? w.copied : w.copy}
            </button>
          </div>
          <p className="meta" data-testid="invite-mailed" data-mailed={made.mailed}>
            {made.mailed && made.email ? fill(w.inviteMailed, { email: made.email }) : w.inviteNotMailed}{" "}
            {fill(w.inviteExpires, { date: until(made.expiresAt) })}
          </p>
        </div>
      )}
    </section>
  );
}
