import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/** What the browser carries between start and callback; only this server can read or make one. */
export interface SignInState {
  provider: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The redirect_uri sent at start, sent again to the token endpoint whatever host the callback arrived on. */
  redirectUri: string;
  /** Epoch ms after which the cookie is refused even if the browser still sends it. */
  expiresAt: number;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
// Binds a sealed value to this use, so a ciphertext made for something else under the same secret never opens here.
const AAD = Buffer.from("benih oidc sign-in state v1");

/** A key of its own for this cookie, so the configured secret can seal other things without sharing a key. */
export function stateCookieKey(secret: Buffer): Buffer {
  if (secret.length < 32) throw new Error("The OpenID Connect state secret must be at least 32 bytes.");
  return Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), "benih oidc state cookie", 32));
}

/** AES-256-GCM, base64url(iv | tag | ciphertext). */
export function seal(key: Buffer, value: SignInState): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(AAD);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

/** The state, or null when the cookie was changed, sealed with another key, or is not one of ours. */
export function unseal(key: Buffer, cookie: string): SignInState | null {
  const raw = Buffer.from(cookie, "base64url");
  if (raw.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES)).setAAD(AAD);
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
    const value = JSON.parse(text) as Partial<SignInState>;
    const strings = [value.provider, value.state, value.nonce, value.codeVerifier, value.redirectUri];
    if (strings.some((s) => typeof s !== "string") || typeof value.expiresAt !== "number") return null;
    return value as SignInState;
  } catch {
    return null;
  }
}
