import type { MeView } from "@benih/contracts";
import { useState } from "react";
import { logOut } from "../api/account.ts";
import { forgetApiKey } from "../api/http.ts";
import type { Locale } from "../i18n.ts";
import { ConfirmDialog } from "../sidebar/ConfirmDialog.tsx";
import { at } from "../text/account.ts";
import { errorText } from "./errors.ts";

/** An address that a narrow column breaks after its "@" rather than inside the domain ("ana@example.c" / "om"). */
const atBreak = (email: string) => {
  const sign = email.lastIndexOf("@");
  return sign < 0 ? (
    email
  ) : (
    <>
      {email.slice(0, sign + 1)}
      <wbr />
      {email.slice(sign + 1)}
    </>
  );
};

/** Who is signed in (address, market, role), and signing out here or everywhere; the machine's owner has no sign-out. */
export function AccountSection({
  locale,
  me,
  marketName,
  onSignedOut,
}: {
  locale: Locale;
  me: MeView;
  /** The market's name in the UI language; its id without one. */
  marketName?: string | undefined;
  onSignedOut(): void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function signOut(everywhere: boolean) {
    setConfirming(false);
    setBusy(true);
    setError(undefined);
    try {
      // Signed in with a key kept in this browser, signing out is forgetting it (and ending a session, if any).
      forgetApiKey();
      await logOut(everywhere);
      onSignedOut();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <section className="account-part" aria-labelledby="account-title" data-testid="account">
      <h3 id="account-title">{at(locale, "accountTitle")}</h3>
      <dl className="account-facts">
        <div>
          <dt>{at(locale, me.email ? "email" : "accountName")}</dt>
          <dd>{me.email ? atBreak(me.email) : me.owner ? at(locale, "ownerName") : me.name}</dd>
        </div>
        {me.market && (
          <div>
            <dt>{at(locale, "accountMarket")}</dt>
            <dd>{marketName ?? me.market}</dd>
          </div>
        )}
        <div>
          <dt>{at(locale, "accountRole")}</dt>
          <dd>{at(locale, me.role === "admin" ? "roleAdmin" : "roleMember")}</dd>
        </div>
      </dl>
      {me.owner ? (
        <p className="meta">{at(locale, "accountOwner")}</p>
      ) : (
        <div className="account-actions">
          <button type="button" disabled={busy} onClick={() => void signOut(false)} data-testid="sign-out">
            {at(locale, "signOut")}
          </button>
          <button type="button" className="ghost" disabled={busy} onClick={() => setConfirming(true)} data-testid="sign-out-everywhere">
            {at(locale, "signOutEverywhere")}
          </button>
        </div>
      )}
      {error !== undefined && <p role="alert">{errorText(locale, error)}</p>}
      {confirming && (
        <ConfirmDialog
          locale={locale}
          title={at(locale, "signOutEverywhereTitle")}
          body={at(locale, "signOutEverywhereBody")}
          action={at(locale, "signOutEverywhere")}
          onConfirm={() => void signOut(true)}
          onClose={() => setConfirming(false)}
          testId="sign-out-everywhere-dialog"
        />
      )}
    </section>
  );
}
