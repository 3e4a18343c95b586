import { Alert, Button, Card, Group, Progress, Stack, Text, TextInput } from "@mantine/core";
import { Dropzone } from "@mantine/dropzone";
import { useRevalidator } from "@remix-run/react";
import { useEffect, useState } from "react";
import type { ImportJob } from "~/ingest/jobs.server";
import type { UploadPreview } from "~/ingest/preview.server";
import type { ColumnMap } from "~/ingest/formats";
import type { DateFormat } from "~/ingest/dates";
import { ImportReportView } from "./ImportReportView";
import { UpdateReportView } from "./UpdateReportView";
import { MappingForm } from "./MappingForm";
import { followJob, JobProgress, useJobFollowing } from "./JobProgress";

type UploadInfo = { id: string; fileName: string; bytes: number };
type State =
  | { step: "idle" }
  | { step: "uploading"; fileName: string; percent: number }
  | { step: "mapping"; upload: UploadInfo; preview: UploadPreview }
  | { step: "importing"; upload: UploadInfo; job: ImportJob }
  | { step: "done"; job: ImportJob }
  | { step: "failed"; error: string; upload?: UploadInfo; canReplace?: boolean; retry?: StartOptions };

type StartOptions = { map?: ColumnMap; dateFormat?: DateFormat; replace?: boolean; currency?: string };

/** Sends the file as the raw request body, reporting upload progress (fetch cannot). */
function uploadFile(
  file: File,
  onProgress: (percent: number) => void,
): Promise<{ upload: UploadInfo; preview: UploadPreview }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/uploads");
    xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((100 * e.loaded) / e.total));
    xhr.onload = () => {
      let body: { error?: string; upload: UploadInfo; preview: UploadPreview } | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* handled below */
      }
      if (xhr.status >= 200 && xhr.status < 300 && body && !body.error) resolve(body);
      else reject(new Error(body?.error ?? `The upload failed (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error("The upload failed: the server could not be reached"));
    xhr.send(file);
  });
}

const UNTIL = /^\d{4}-\d{2}-\d{2}$/;

/** The next import's process loads while a file is chosen (POST /api/imports/ahead; nothing to show if it fails). */
function askAhead() {
  void fetch("/api/imports/ahead", { method: "POST" }).catch(() => undefined);
}

/** While the page reloads the data set list after a report (a second or more on a busy machine): says so. */
function ListReloading() {
  const { state } = useRevalidator();
  return state === "idle" ? null : (
    <Text size="sm" c="dimmed" mb="xs" data-testid="list-progress">
      Adding it to the data sets below…
    </Text>
  );
}

/** Imports a file as a new data set, or (with `update`) adds a file's newer transactions to that data set (issue 13). */
export function UploadPanel({ update }: { update?: { id: number; name: string } } = {}) {
  const [state, setState] = useState<State>({ step: "idle" });
  const [name, setName] = useState("");
  const [until, setUntil] = useState("");
  const untilError = until.trim() !== "" && !UNTIL.test(until.trim()) ? "Write the day as YYYY-MM-DD" : null;
  const revalidator = useRevalidator();
  const refs = useJobFollowing();
  useEffect(askAhead, []);

  async function start(upload: UploadInfo, options: StartOptions) {
    const res = await fetch("/api/imports", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        uploadId: upload.id,
        ...(update ? { update: update.id } : { name: name.trim() || undefined }),
        until: until.trim() || undefined,
        ...options,
      }),
    });
    const body = await res.json();
    if (!res.ok) return setState({ step: "failed", error: body.error, upload });
    setState({ step: "importing", upload, job: body });
    const show = (job: ImportJob) => {
      // the report comes with the commit: the data set is ready (its column file may still be being written)
      if (job.report && job.status !== "failed") {
        setState({ step: "done", job });
        revalidator.revalidate();
      } else if (job.status === "running") setState({ step: "importing", upload, job });
      else {
        askAhead(); // a replace or another file may follow: the failed job's process is gone
        setState({
          step: "failed",
          error: job.error ?? "The import failed",
          upload,
          canReplace: job.canReplace,
          retry: options,
        });
      }
      return job.status === "running" && !job.report;
    };
    followJob(body.id, show, refs, (error) => setState({ step: "failed", error }));
  }

  async function onDrop(files: File[]) {
    const file = files[0];
    if (!file) return;
    if (file.size === 0) return setState({ step: "failed", error: "The file is empty (0 bytes)" });
    setState({ step: "uploading", fileName: file.name, percent: 0 });
    try {
      const { upload, preview } = await uploadFile(file, (percent) =>
        setState({ step: "uploading", fileName: file.name, percent }),
      );
      // a file whose layout is known goes straight to the import, which gives the authoritative report or error
      if (preview.needsMapping) setState({ step: "mapping", upload, preview });
      else await start(upload, {});
    } catch (err) {
      setState({ step: "failed", error: (err as Error).message });
    }
  }

  async function discard(upload?: UploadInfo) {
    if (upload) await fetch(`/api/uploads/${upload.id}`, { method: "DELETE" });
    setState({ step: "idle" });
  }

  const busy = state.step === "uploading" || state.step === "importing";
  return (
    <Card withBorder padding="lg">
      <Stack>
        <Group align="flex-end">
          {update ? (
            <Text size="sm" maw={420}>
              Add newer transactions to “{update.name}”: a full re-export or just the new period. Lines dated after its
              last stored transaction are added; earlier ones are checked, never added.
            </Text>
          ) : (
            <TextInput
              label="Data set name"
              description="Optional: the file name is used otherwise"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              disabled={busy}
              w={320}
            />
          )}
          <TextInput
            label="Keep lines up to"
            description="Optional day, YYYY-MM-DD: later lines are left out"
            placeholder="YYYY-MM-DD"
            value={until}
            onChange={(e) => setUntil(e.currentTarget.value)}
            error={untilError}
            disabled={busy}
            w={240}
            data-testid="until"
          />
        </Group>
        <Dropzone
          onDrop={onDrop}
          multiple={false}
          disabled={busy || untilError !== null}
          maxSize={4 * 1024 ** 3}
          data-testid="dropzone"
          onReject={(r) => setState({ step: "failed", error: r[0]?.errors[0]?.message ?? "The file was refused" })}
        >
          <Stack align="center" gap={4} py="lg" style={{ pointerEvents: "none" }}>
            <Text size="lg" fw={600}>
              Drop a CSV file here, or click to choose one
            </Text>
            <Text size="sm" c="dimmed">
              Online Retail (UCI 352 / Kaggle data.csv), Online Retail II, or any CSV with a header (you map its
              columns); .csv or .csv.gz
            </Text>
          </Stack>
        </Dropzone>

        {/* plain bars, not striped: an animated stripe repaints every frame, a fifth of a core taken from the import */}
        {state.step === "uploading" && (
          <Stack gap={4} data-testid="upload-progress">
            <Text size="sm">
              Uploading {state.fileName}: {state.percent}%
            </Text>
            <Progress value={state.percent} />
          </Stack>
        )}
        {state.step === "importing" && <JobProgress job={state.job} />}
        {state.step === "mapping" && (
          <MappingForm
            upload={state.upload}
            initial={state.preview}
            onImport={(map, dateFormat, currency) => start(state.upload, { map, dateFormat, currency })}
            onCancel={() => discard(state.upload)}
          />
        )}
        {state.step === "done" && state.job.report && "kind" in state.job.report && (
          <Alert
            color="teal"
            title={`Updated "${update?.name ?? state.job.report.clean.dataset}" with ${state.job.fileName}`}
            withCloseButton
            onClose={() => setState({ step: "idle" })}
            data-testid="import-done"
          >
            <ListReloading />
            <UpdateReportView report={state.job.report} />
          </Alert>
        )}
        {state.step === "done" && state.job.report && !("kind" in state.job.report) && (
          <Alert
            color="teal"
            title={`Imported ${state.job.fileName} as "${state.job.report.dataset}"`}
            withCloseButton
            onClose={() => setState({ step: "idle" })}
            data-testid="import-done"
          >
            <ListReloading />
            <ImportReportView report={state.job.report} />
          </Alert>
        )}
        {state.step === "failed" && (
          <Alert
            color="red"
            title={
              update
                ? "The data set was not updated; nothing was changed"
                : "The file was not imported; nothing was changed"
            }
            data-testid="import-error"
          >
            <Stack gap="xs">
              <Text size="sm">{state.error}</Text>
              <Group>
                {state.canReplace && state.upload && !update && (
                  <Button
                    size="xs"
                    color="orange"
                    onClick={() => start(state.upload!, { ...state.retry, replace: true })}
                  >
                    Replace the existing data set
                  </Button>
                )}
                <Button size="xs" variant="default" onClick={() => discard(state.upload)}>
                  Dismiss
                </Button>
              </Group>
            </Stack>
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
