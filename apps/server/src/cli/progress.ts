/**
 * Progress of a long step on stderr: one line rewritten in place on a terminal, else a line every 10% (so logs
 * and pipes show it moving without flooding them).
 */
export function progress(label: string, out: NodeJS.WriteStream = process.stderr): (done: number, total: number) => void {
  let shown = -1;
  return (done, total) => {
    const pct = Math.floor((100 * done) / total);
    if (out.isTTY) {
      if (pct !== shown) out.write(`\r${label}: ${done}/${total} (${pct}%)${done >= total ? "\n" : ""}`);
    } else if (Math.floor(pct / 10) !== Math.floor(shown / 10)) out.write(`${label}: ${done}/${total} (${pct}%)\n`);
    shown = pct;
  };
}
