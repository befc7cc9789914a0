import type { ToolCallView } from "@benih/contracts";
import { useState } from "react";
import { decideToolCall } from "../api/mcp.ts";
import { fillText, t, type Locale } from "../i18n.ts";
import { shownArguments } from "./toolCalls.ts";

const STATUS = {
  awaiting_confirmation: "toolStatusWaiting",
  running: "toolStatusRunning",
  done: "toolStatusDone",
  error: "toolStatusError",
  declined: "toolStatusDeclined",
} as const;

/** The question a call waiting for the person's OK asks, answered once (the buttons then wait for the answer to go on). */
function Confirm({
  call,
  conversation,
  answer,
  locale,
  onProblem,
}: {
  call: ToolCallView;
  conversation: string;
  answer: string;
  locale: Locale;
  onProblem(e: Error): void;
}) {
  const [sent, setSent] = useState(false);
  const decide = (approve: boolean) => {
    setSent(true);
    decideToolCall(conversation, answer, call.id, approve).catch((e: Error) => {
      setSent(false);
      onProblem(e);
    });
  };
  return (
    <div className="tool-confirm" role="alert" data-testid="tool-confirm">
      <p>{fillText(t(locale, "toolConfirm"), { tool: call.tool, server: call.server })}</p>
      <pre>{shownArguments(call.arguments)}</pre>
      <div className="row">
        <button type="button" className="ghost" data-testid="tool-decline" disabled={sent} onClick={() => decide(false)}>
          {t(locale, "toolDecline")}
        </button>
        <button type="button" className="primary" data-testid="tool-approve" disabled={sent} onClick={() => decide(true)}>
          {t(locale, "toolApprove")}
        </button>
      </div>
    </div>
  );
}

/**
 * Under an answer, each MCP tool its model called: the tool and how the call went, opened to its arguments and
 * result (or error). A call waiting for the person's OK asks for it here.
 */
export function ToolCalls({
  calls,
  conversation,
  answer,
  locale,
  onProblem,
}: {
  calls: ToolCallView[] | undefined;
  conversation: string | undefined;
  answer: string;
  locale: Locale;
  onProblem(e: Error): void;
}) {
  if (!calls?.length) return null;
  return (
    <ul className="tool-calls" data-testid="tool-calls" aria-label={t(locale, "toolCalls")}>
      {calls.map((call) => (
        <li key={call.id} data-testid="tool-call" data-status={call.status}>
          {call.status === "awaiting_confirmation" && conversation && (
            <Confirm call={call} conversation={conversation} answer={answer} locale={locale} onProblem={onProblem} />
          )}
          <details>
            <summary>
              <code>
                {call.server}/{call.tool}
              </code>{" "}
              <span className={`tool-status ${call.status}`}>{t(locale, STATUS[call.status])}</span>
            </summary>
            <h4>{t(locale, "toolArguments")}</h4>
            <pre data-testid="tool-arguments">{shownArguments(call.arguments)}</pre>
            {call.result !== undefined && (
              <>
                <h4>{t(locale, "toolResult")}</h4>
                <pre data-testid="tool-result">{call.result}</pre>
              </>
            )}
            {call.error && (
              <>
                <h4>{t(locale, "toolError")}</h4>
                <pre className="error" data-testid="tool-error">
                  {call.error}
                </pre>
              </>
            )}
          </details>
        </li>
      ))}
    </ul>
  );
}
