import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "@benih/contracts";
import { GatewayError } from "@benih/gateway";
import { hash, verify } from "@node-rs/argon2";

// argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): about 20 ms here, off the main
// thread (the binding hashes on libuv's pool).
// `algorithm: 2` is the binding's Algorithm.Argon2id, a const enum that cannot be imported under isolated modules.
const params = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Hashes in flight and waiting, at most: argon2 runs on libuv's pool, which DNS look-ups (every upstream call) and
 * file reads share, so a flood of sign-ins must not fill it. Past the queue: 503 with retry-after.
 */
const RUNNING = 2;
const WAITING = 64;
let running = 0;
const waiting: Array<() => void> = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= RUNNING) {
    if (waiting.length >= WAITING)
      throw new GatewayError(503, "server_error", "Too many sign-ins at once; try again in a moment.", "sign_in_busy", null, 2);
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export const hashPassword = (password: string): Promise<string> => limited(() => hash(password, params));

/** A hash no password matches, checked when no account has the email, so an unknown email takes as long. */
let decoy: Promise<string> | undefined;
/** Made once, before the first sign-in (the first unknown email would otherwise also pay for making it). */
export const warmDecoy = () => (decoy ??= hash("decoy: no account has this hash", params));

/** Whether `password` is the one `stored` was made from; with no stored hash, spends the same time and says no. */
export async function checkPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  const against = stored ?? (await warmDecoy());
  const ok = await limited(() => verify(against, password).catch(() => false));
  return ok && !!stored;
}

/** Lower-cased and trimmed, so one mailbox is one account; a 400 when it is not an address. */
export function normalEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 320 || !/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(email))
    throw new GatewayError(
      400,
      "invalid_request_error",
      "email: enter an email address such as name@example.com.",
      "invalid_email",
      "email",
    );
  return email;
}

export function checkNewPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    throw new GatewayError(
      400,
      "invalid_request_error",
      `password: use at least ${MIN_PASSWORD_LENGTH} characters.`,
      "password_too_short",
      "password",
    );
  if (password.length > MAX_PASSWORD_LENGTH)
    throw new GatewayError(
      400,
      "invalid_request_error",
      `password: use at most ${MAX_PASSWORD_LENGTH} characters.`,
      "password_too_long",
      "password",
    );
}
