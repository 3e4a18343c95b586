import { Progress, Stack, Text } from "@mantine/core";
import { useEffect, useRef } from "react";
import type { ImportJob } from "~/ingest/jobs.server";
import { WAREHOUSE_STAGES, warehouseStagePercent } from "~/ingest/warehouse-stages";
import type { WarehouseProgress } from "~/types/warehouse";

// A running job's stage and bar: an import or update of a file, or a warehouse table read again (issue 17), followed
// through GET /api/imports/:id/events. Plain bars: striped ones cost Chromium a fifth of a core while they run.

function percent(job: ImportJob): number {
  const p = job.progress;
  if (!p) return 0;
  if (job.kind === "reread") return warehouseStagePercent(p as WarehouseProgress);
  if (p.stage === "reading") return p.totalBytes ? Math.min(95, Math.round((95 * p.bytesRead) / p.totalBytes)) : 0;
  // segments are derived before the write lock, then the data set and its derived tables are written in at once
  return p.stage === "hashing" ? 0 : p.stage === "segments" ? 96 : p.stage === "deriving" ? 98 : 100;
}

function label(job: ImportJob): string {
  const p = job.progress;
  if (job.queuePosition)
    return `Waiting in the queue: ${job.queuePosition} import${job.queuePosition === 1 ? "" : "s"} ahead`;
  if (job.kind === "reread") return `${WAREHOUSE_STAGES[(p as WarehouseProgress | null)?.stage ?? "connecting"]}…`;
  if (!p || p.stage === "hashing") return "Checking the file…";
  if (p.stage === "reading") return `Reading and cleaning: ${p.linesRead.toLocaleString("en-GB")} lines`;
  if (p.stage === "segments") return "Computing RFM segments and personas…";
  if (p.stage === "deriving") return "Writing the data set in…";
  return "Finishing…";
}

export function JobProgress({ job, testId = "import-progress" }: { job: ImportJob; testId?: string }) {
  return (
    <Stack gap={4} data-testid={testId} role="status">
      <Text size="sm">
        {job.kind === "reread" ? "Reading" : "Importing"} {job.fileName}
        {job.kind === "reread" ? " again" : ""}: {label(job)}
      </Text>
      <Progress value={percent(job)} color="teal" />
    </Stack>
  );
}

/**
 * Follows a job until it ends: `show` gets each state and says whether to keep following. Each change comes as it
 * happens (server-sent events, GET /api/imports/:id/events); if the stream breaks, it is asked for every 250 ms.
 */
export function followJob(
  id: string,
  show: (job: ImportJob) => boolean,
  refs: { polling: { current?: ReturnType<typeof setTimeout> }; following: { current?: EventSource } },
  lost: (error: string) => void,
): void {
  const poll = async () => {
    const r = await fetch(`/api/imports/${id}`).catch(() => null);
    const job = r ? ((await r.json()) as ImportJob & { error?: string }) : null;
    if (!r?.ok || !job) return lost(job?.error ?? "The job was lost: the server could not be reached");
    if (show(job)) refs.polling.current = setTimeout(poll, 250);
  };
  const events = new EventSource(`/api/imports/${id}/events`);
  refs.following.current = events;
  events.onmessage = (e) => {
    if (!show(JSON.parse(e.data) as ImportJob)) events.close();
  };
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED || refs.following.current !== events) return;
    events.close();
    void poll();
  };
}

/** What followJob keeps (the poll's timer, the event stream), both stopped when the component leaves the page. */
export function useJobFollowing() {
  const polling = useRef<ReturnType<typeof setTimeout>>();
  const following = useRef<EventSource>();
  useEffect(
    () => () => {
      clearTimeout(polling.current);
      following.current?.close();
    },
    [],
  );
  return { polling, following };
}
