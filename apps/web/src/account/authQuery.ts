/** What an emailed or redirected link brought in its query string, for the sign-in screen. */
export interface AuthQuery {
  /** `?invitation=<token>`: sign up with this invitation. */
  invitation?: string;
  /** `?reset=<token>`: choose a new password with this reset token. */
  reset?: string;
  /**
   * `?signin_error=<code>`: the code of a single sign-on that failed. The `message` that comes with it is dropped
   * unread: anyone can make such an address, and its text would show on the real sign-in screen.
   */
  signinError?: { code: string };
}

// `message` goes only with `signin_error`: alone it is nobody's, and is left where it is.
const PARAMS = ["invitation", "reset", "signin_error"] as const;

/**
 * Reads the sign-in parameters out of a URL; `rest` is the URL without them (other parameters, such as the open
 * conversation's, and the hash stay), or null when there were none to take out.
 */
export function readAuthQuery(href: string): { query: AuthQuery; rest: string | null } {
  const url = new URL(href);
  const p = url.searchParams;
  const got = (name: string) => p.get(name)?.trim() || undefined;
  const invitation = got("invitation");
  const reset = got("reset");
  const code = got("signin_error");
  const query: AuthQuery = {
    ...(invitation && { invitation }),
    ...(reset && { reset }),
    ...(code && { signinError: { code } }),
  };
  if (!PARAMS.some((name) => p.has(name))) return { query, rest: null };
  if (p.has("signin_error")) p.delete("message");
  for (const name of PARAMS) p.delete(name);
  return { query, rest: `${url.pathname}${url.search}${url.hash}` };
}

let taken: AuthQuery | undefined;

/**
 * The sign-in parameters of the page's address, read once: the address is cleaned at once so that a reload, the
 * history or a shared screenshot does not carry a token. Later calls return what the first one read.
 */
export function takeAuthQuery(): AuthQuery {
  if (taken) return taken;
  const { query, rest } = readAuthQuery(location.href);
  if (rest !== null) history.replaceState(history.state, "", rest);
  taken = query;
  return query;
}
