import type { ImportProgress } from "~/ingest/import.server";
import { WAREHOUSE_STAGES } from "~/ingest/warehouse-stages";
import type { WarehouseProgress } from "~/types/warehouse";

/** Progress on stderr: a rewritten line for people, or one JSON object per line for the web server (--progress-json). */
export function progressPrinter(
  label: string,
  json: boolean,
): { update: (p: ImportProgress | WarehouseProgress) => void; end: () => void } {
  if (json) return { update: (p) => process.stderr.write(JSON.stringify({ progress: p }) + "\n"), end: () => {} };
  const tty = process.stderr.isTTY;
  let last = "";
  const show = (text: string) => {
    if (text === last) return;
    last = text;
    process.stderr.write(tty ? `\r\x1b[K${text}` : `${text}\n`);
  };
  let lastPercent = -10;
  return {
    update: (p) => {
      if (p.stage === "reading") {
        const percent = p.totalBytes ? Math.floor((100 * p.bytesRead) / p.totalBytes) : 0;
        if (!tty && percent - lastPercent < 10 && percent < 100) return;
        lastPercent = percent;
        show(`${label}: reading ${percent}% (${p.linesRead.toLocaleString("en-GB")} lines)`);
      } else if (p.stage === "hashing") show(`${label}: checking the file`);
      else if (p.stage === "deriving") show(`${label}: computing customers and orders`);
      else if (p.stage === "segments") show(`${label}: computing RFM segments and personas`);
      else if (p.stage !== "done") show(`${label}: ${WAREHOUSE_STAGES[p.stage].toLowerCase()}`);
    },
    end: () => {
      if (tty && last) process.stderr.write("\n");
    },
  };
}
