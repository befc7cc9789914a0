import { randomBytes } from "node:crypto";
import { checkNewPassword, hashPassword, normalEmail } from "@benih/accounts";
import { Store, storeLocationFromEnv, type User } from "@benih/store";
import { loadConfig } from "../config/load.ts";
import { locationOf, toProfile } from "../markets.ts";
import { UsageError } from "./args.ts";
import type { Input } from "./command.ts";
import type { usersCreate, usersDisable, usersList, usersRole } from "./commands.ts";

const actor = "cli (benih users)";

/** The store of `--market`'s people (the home store without markets), open for `use`. */
async function withMarketStore<T>(
  values: { market?: string | undefined; config?: string | undefined },
  env: NodeJS.ProcessEnv,
  use: (store: Store, market: string | null) => Promise<T>,
): Promise<T> {
  const { config } = loadConfig({ ...(values.config && { path: values.config }), env });
  const home = storeLocationFromEnv(env);
  const ids = config.markets.map((m) => m.id);
  if (ids.length && values.market === undefined) throw new UsageError(`name the person's market with --market (${ids.join(", ")})`);
  if (!ids.length && values.market !== undefined) throw new UsageError("no markets are configured: leave out --market");
  const m = config.markets.find((x) => x.id === values.market);
  if (values.market !== undefined && !m) throw new UsageError(`no market is named "${values.market}"; markets: ${ids.join(", ")}`);
  const store = await Store.open(m ? locationOf(toProfile(m, home, process.cwd())) : home);
  try {
    return await use(store, m?.id ?? null);
  } finally {
    await store.close();
  }
}

async function person(store: Store, email: string): Promise<User> {
  const found = await store.accounts.byEmail(normalEmail(email));
  if (!found) throw new Error(`no person of this market has the email ${email}`);
  return found;
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.length > 1_000) throw new UsageError("the password on standard input is longer than 1,000 characters");
  }
  return text.replace(/\r?\n$/, "");
}

export async function createUser({ values, env }: Input<typeof usersCreate.options>): Promise<void> {
  if (!values.email) throw new UsageError("give the person's email with --email");
  const email = normalEmail(values.email);
  if (values.sso && values["password-stdin"]) throw new UsageError("--sso makes a person without a password: leave out --password-stdin");
  const made = !values["password-stdin"] && !values.sso;
  const password = values.sso ? undefined : made ? randomBytes(12).toString("base64url") : await readStdin();
  if (password !== undefined) checkNewPassword(password);
  const user = await withMarketStore(values, env, async (store, market) => {
    if (await store.accounts.byEmail(email)) throw new Error(`${email} already has an account in this market`);
    const role = values.admin ? "admin" : "member";
    const u = await store.accounts.create({
      email,
      name: email.slice(0, email.indexOf("@")),
      passwordHash: password === undefined ? null : await hashPassword(password),
      role,
      market,
    });
    await store.accounts.audit({ actor, action: "person.create", target: u.id, detail: { email, role } });
    return u;
  });
  if (made) process.stdout.write(`${password}\n`);
  const where = user.market ? ` in market ${user.market}` : "";
  const how = made
    ? " Their password is above, shown only now; they can change it by a reset."
    : values.sso
      ? " They sign in by single sign-on."
      : "";
  process.stderr.write(`created ${user.role} ${email}${where}.${how}\n`);
}

export async function listUsers({ values, env }: Input<typeof usersList.options>): Promise<void> {
  const people = await withMarketStore(values, env, (store) => store.accounts.list({ limit: 10_000 }));
  if (values.json)
    return void process.stdout.write(
      `${JSON.stringify(
        people.map(({ password_hash: _, ...p }) => p),
        null,
        2,
      )}\n`,
    );
  if (!people.length) return void process.stdout.write("no people yet; add one with `benih users create --email EMAIL`\n");
  for (const p of people) {
    const state = p.disabled_at === null ? "active" : `disabled ${new Date(Number(p.disabled_at)).toISOString()}`;
    process.stdout.write(`${(p.email ?? p.name).padEnd(32)}  ${p.role.padEnd(6)}  ${state}  id ${p.id}\n`);
  }
}

export async function disableUser({ values, positionals, env }: Input<typeof usersDisable.options>): Promise<void> {
  if (positionals.length !== 1) throw new UsageError("name one person by their email");
  const disabled = !values.enable;
  await withMarketStore(values, env, async (store) => {
    const p = await person(store, positionals[0]!);
    await store.accounts.setDisabled(p.id, disabled);
    await store.accounts.audit({ actor, action: "person.update", target: p.id, detail: { email: p.email, disabled } });
  });
  process.stdout.write(`${disabled ? "disabled" : "enabled"} ${positionals[0]}${disabled ? ": their sessions and keys have ended" : ""}\n`);
}

export async function setRole({ values, positionals, env }: Input<typeof usersRole.options>): Promise<void> {
  const [email, role] = positionals;
  if (positionals.length !== 2 || (role !== "member" && role !== "admin"))
    throw new UsageError("name the person's email and member or admin");
  await withMarketStore(values, env, async (store) => {
    const p = await person(store, email!);
    await store.accounts.update(p.id, { role });
    await store.accounts.audit({ actor, action: "person.update", target: p.id, detail: { email: p.email, role } });
  });
  process.stdout.write(`${email} is now ${role === "admin" ? "an admin" : "a member"}\n`);
}
