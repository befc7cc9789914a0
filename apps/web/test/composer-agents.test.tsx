import type { AgentView } from "@benih/contracts";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AgentEditor } from "../src/AgentEditor.tsx";
import { TopBar } from "../src/TopBar.tsx";
import { fakeFetch } from "./sse-body.ts";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const mine: AgentView = {
  id: "agt_1",
  builtIn: false,
  name: "Tour guide",
  instructions: "Answer as a guide.",
  model: "echo",
  skills: ["web"],
  starters: ["Where to go?"],
  toolUse: false,
};
const builtIn: AgentView = { ...mine, id: "benih", builtIn: true, name: { en: "benih" } };
/** The editor first asks which MCP tools the market has: here none. */
const noTools = () => Response.json({ data: [], errors: [] });

function editor(agent?: AgentView) {
  const handlers = { onDone: vi.fn(), onDeleted: vi.fn(), onClose: vi.fn() };
  render(<AgentEditor locale="id" models={["echo", "upper"]} {...(agent && { agent })} {...handlers} />);
  return handlers;
}

describe("the agent editor", () => {
  it("opens an agent of the user's with its fields filled in, in the UI language, and saves the changes with PATCH", async () => {
    const saved = { ...mine, name: "Island guide" };
    const { fetch, requests } = fakeFetch(noTools, () => Response.json(saved));
    vi.stubGlobal("fetch", fetch);
    const { onDone } = editor(mine);
    expect(screen.getByTestId("agent-editor").querySelector("h2")!.textContent).toBe("Ubah agen");
    expect(screen.getByTestId<HTMLInputElement>("agent-name").value).toBe("Tour guide");
    expect(screen.getByTestId<HTMLTextAreaElement>("agent-starters").value).toBe("Where to go?");
    expect(screen.getByTestId<HTMLInputElement>("agent-skill-web").checked).toBe(true);
    expect(screen.getByTestId("agent-skill-web").parentElement!.textContent).toBe(" Cari di web");
    expect(screen.getByTestId<HTMLSelectElement>("agent-model").options[0]!.textContent).toBe("Bawaan pasar");
    fireEvent.change(screen.getByTestId("agent-name"), { target: { value: "Island guide" } });
    fireEvent.click(screen.getByTestId("agent-skill-translate"));
    fireEvent.click(screen.getByTestId("agent-save"));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(saved));
    expect(requests[1]!.url).toBe("/v1/agents/agt_1");
    expect(requests[1]!.init.method).toBe("PATCH");
    expect(JSON.parse(String(requests[1]!.init.body))).toEqual({
      name: "Island guide",
      instructions: "Answer as a guide.",
      model: "echo",
      skills: ["web", "translate"],
      starters: ["Where to go?"],
      toolUse: false,
    });
  });

  it("deletes the agent only after the dialog is confirmed", async () => {
    const { fetch, requests } = fakeFetch(noTools, () => new Response(null, { status: 204 }));
    vi.stubGlobal("fetch", fetch);
    const { onDeleted } = editor(mine);
    fireEvent.click(screen.getByTestId("agent-delete"));
    expect(screen.getByTestId("agent-delete-dialog").textContent).toContain("“Tour guide” akan dihapus.");
    fireEvent.click(screen.getByTestId("dialog-cancel"));
    expect(requests.map((r) => r.url)).toEqual(["/v1/mcp/tools"]);
    fireEvent.click(screen.getByTestId("agent-delete"));
    fireEvent.click(screen.getByTestId("dialog-confirm"));
    await waitFor(() => expect(onDeleted).toHaveBeenCalledWith("agt_1"));
    expect([requests[1]!.url, requests[1]!.init.method]).toEqual(["/v1/agents/agt_1", "DELETE"]);
  });

  it("makes a new agent with POST, and offers no delete for it", async () => {
    const { fetch, requests } = fakeFetch(noTools, () => Response.json(mine, { status: 201 }));
    vi.stubGlobal("fetch", fetch);
    const { onDone } = editor();
    expect(screen.getByTestId("agent-editor").querySelector("h2")!.textContent).toBe("Agen baru");
    expect(screen.queryByTestId("agent-delete")).toBeNull();
    fireEvent.change(screen.getByTestId("agent-name"), { target: { value: "Tour guide" } });
    fireEvent.click(screen.getByTestId("agent-save"));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(mine));
    expect([requests[1]!.url, requests[1]!.init.method]).toEqual(["/v1/agents", "POST"]);
    expect(screen.queryByTestId("agent-mcp-tools")).toBeNull();
  });

  it("lists the market's MCP tools with their descriptions, and names a chosen one among the skills", async () => {
    const tools = {
      data: [
        { id: "mcp:files/read", server: "files", tool: "read", description: "Reads a file.", confirm: false, inputSchema: {} },
        { id: "mcp:files/delete", server: "files", tool: "delete", description: "Deletes a file.", confirm: true, inputSchema: {} },
      ],
      errors: [{ server: "calendar", message: "connection refused" }],
    };
    const { fetch, requests } = fakeFetch(
      () => Response.json(tools),
      () => Response.json(mine),
    );
    vi.stubGlobal("fetch", fetch);
    editor(mine);
    const list = await screen.findByTestId("agent-mcp-tools");
    expect(list.querySelector("legend")!.textContent).toBe("Alat dari layanan yang terhubung (MCP)");
    expect(screen.getByTestId("agent-tool-mcp:files/read").parentElement!.textContent).toBe(" files/read — Reads a file.");
    expect(screen.getByTestId("agent-tool-mcp:files/delete").parentElement!.textContent).toBe(
      " files/delete · minta izin dulu — Deletes a file.",
    );
    expect(list.textContent).toContain("calendar sedang tidak bisa dihubungi: connection refused");
    fireEvent.click(screen.getByTestId("agent-tool-mcp:files/read"));
    fireEvent.click(screen.getByTestId("agent-save"));
    await waitFor(() => expect(requests).toHaveLength(2));
    expect(JSON.parse(String(requests[1]!.init.body)).skills).toEqual(["web", "mcp:files/read"]);
  });

  it("is offered from the agent picker for the user's own agent, never for a built-in one", () => {
    const onEditAgent = vi.fn();
    const bar = (agent: string) => (
      <TopBar
        locale="en"
        brand={{ name: "benih", logo: undefined }}
        agents={[builtIn, mine]}
        agent={agent}
        agentLocked={false}
        onAgent={vi.fn()}
        onNewAgent={vi.fn()}
        onEditAgent={onEditAgent}
        models={["echo"]}
        model="echo"
        onModel={vi.fn()}
        locales={["en"]}
        localeReady
        onLocale={vi.fn()}
        onSettings={undefined}
        onExport={undefined}
        onMenu={vi.fn()}
      />
    );
    const { rerender } = render(bar("benih"));
    const edit = () => screen.getByTestId("agent").querySelector('option[value="+edit"]');
    expect(edit()).toBeNull();
    rerender(bar("agt_1"));
    expect(edit()?.textContent).toBe("Edit the agent…");
    fireEvent.change(screen.getByTestId("agent"), { target: { value: "+edit" } });
    expect(onEditAgent).toHaveBeenCalledWith("agt_1");
  });
});
