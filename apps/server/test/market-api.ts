import assert from "node:assert/strict";
import { request } from "undici";

export const hosts = { cn: "cn.localhost", global: "localhost" } as const;
export type Market = keyof typeof hosts;

/** An answer's events as the web app reads them: its text, and the `answer` and `done` events' data. */
export interface Answer {
  text: string;
  answer: { id: string; meta: any };
  done: { id: string; status: string; meta?: any; error?: unknown };
}

/** Calls to a server as a browser on a market's host makes them (fetch would not send the Host header). */
export function marketApi(url: string) {
  async function api(market: Market, key: string, method: string, path: string, body?: unknown) {
    const res = await request(url + path, {
      method: method as "GET",
      headers: {
        host: hosts[market],
        authorization: `Bearer ${key}`,
        ...(body !== undefined && { "content-type": typeof body === "string" ? "application/octet-stream" : "application/json" }),
      },
      ...(body !== undefined && { body: typeof body === "string" ? body : Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
    });
    const text = await res.body.text();
    return {
      status: res.statusCode,
      text,
      json: (text && String(res.headers["content-type"]).includes("json") ? JSON.parse(text) : undefined) as any,
    };
  }

  /** Posts a message and reads its answer's events to the end. */
  async function ask(market: Market, key: string, conversation: string, body: object): Promise<Answer> {
    const res = await api(market, key, "POST", `/v1/conversations/${conversation}/messages`, body);
    assert.equal(res.status, 200, res.text);
    const out = { text: "" } as Answer;
    for (const block of res.text.split("\n\n").filter(Boolean)) {
      const [eventLine, dataLine] = block.split("\n");
      const event = eventLine!.slice("event: ".length);
      const data = JSON.parse(dataLine!.slice("data: ".length));
      if (event === "delta") out.text += data.text;
      else (out as any)[event] = data;
    }
    return out;
  }

  /** A new conversation, with `agent` where given. */
  async function start(market: Market, key: string, agent?: string): Promise<string> {
    const r = await api(market, key, "POST", "/v1/conversations", agent ? { agent } : {});
    assert.equal(r.status, 201, r.text);
    return r.json.id as string;
  }

  return { api, ask, start };
}

export type MarketApi = ReturnType<typeof marketApi>;
