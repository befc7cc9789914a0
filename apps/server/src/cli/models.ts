import { authHeaders, callServer, errorMessage, serverURL } from "./args.ts";
import type { Input } from "./command.ts";
import type { models as spec } from "./commands.ts";

export async function models({ values, env }: Input<typeof spec.options>): Promise<void> {
  const url = serverURL(values.url, env);
  const res = await callServer(`${url}/v1/models`, { headers: authHeaders(values.key ?? env.BENIH_API_KEY) });
  if (!res.ok) throw new Error(await errorMessage(res));
  const body = (await res.json()) as { data: Array<{ id: string; owned_by: string }> };
  if (values.json) return void process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  if (!body.data.length) return void process.stdout.write("no models: add GGUF files to models/ or set a provider key (see README)\n");
  const width = Math.max(...body.data.map((m) => m.id.length));
  for (const m of body.data) process.stdout.write(`${m.id.padEnd(width)}  ${m.owned_by}\n`);
}
