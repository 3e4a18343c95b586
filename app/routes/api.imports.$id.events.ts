import type { LoaderFunctionArgs } from "@remix-run/node";
import { getJob, watchJob, type ImportJob } from "~/ingest/jobs.server";
import { jsonError } from "~/lib/http.server";

// GET /api/imports/:id/events — the import job as server-sent events: one `data:` line of the job's JSON (as GET
// /api/imports/:id answers) at each change, as it happens; the stream ends once the job is over.
export async function loader({ params, request }: LoaderFunctionArgs) {
  const id = params.id ?? "";
  if (!getJob(id)) return jsonError("No such import", 404);
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const encoder = new TextEncoder();
      let open = true;
      const end = () => {
        if (!open) return;
        open = false;
        queueMicrotask(() => stop()); // set by then, even when the job had already finished as watchJob began
        try {
          controller.close();
        } catch {
          /* the visitor left: the stream was cancelled */
        }
      };
      const send = (job: ImportJob) => {
        if (!open) return;
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(job)}\n\n`));
        if (job.status !== "running") end();
      };
      stop = watchJob(id, send);
      request.signal.addEventListener("abort", end);
    },
    cancel: () => stop(),
  });
  return new Response(body, {
    headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
  });
}
