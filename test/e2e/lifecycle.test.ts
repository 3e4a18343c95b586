import { describe, expect, it } from "vitest";
import { useApp } from "../support/app";
import { saveDraft, startOpenDraft } from "../support/experiment-ui";

// The experiment's life after Start in a real browser (issue 16): the start checks beside the button, a running and
// a completed experiment reloaded (a read-only summary, no validation text, the preview answering 200), stop early,
// the decision, run again, archive, restore and delete.
describe("experiment lifecycle", () => {
  const app = useApp({ DEMO_LINES: "80000" });
  let id: string;
  let figures: { audience: string; total: string };
  const VALIDATION = /Invalid input|expected number|Control and at least one treatment|Fix the highlighted fields/;

  // the URL changes before the next page's data has rendered: wait for the status badge itself
  const status = (re: RegExp) => app.page.getByTestId("experiment-status").filter({ hasText: re }).waitFor();

  /** Reloads the page and checks the frozen, read-only view: no form, no validation text, the same figures. */
  async function reloadReadOnly() {
    const previews: number[] = [];
    app.page.on("response", (r) => r.url().includes("/api/experiments/preview") && previews.push(r.status()));
    await app.page.reload();
    await app.page.getByTestId("design-summary").waitFor();
    await app.page.getByTestId("sample-total").waitFor();
    const body = await app.page.locator("body").innerText();
    expect(body).not.toMatch(VALIDATION);
    expect(await app.page.getByTestId("experiment-form").count()).toBe(0);
    expect({
      audience: await app.page.getByTestId("audience-size").innerText(),
      total: await app.page.getByTestId("sample-total").innerText(),
    }).toEqual(figures);
    expect(previews.every((s) => s === 200)).toBe(true);
    const form = new FormData();
    form.set("experimentId", id);
    const preview = await fetch(`${app.url}/api/experiments/preview`, { method: "POST", body: form });
    expect(preview.status).toBe(200);
    expect((await preview.json()).preview.audience.customers).toBe(Number(figures.audience.replace(/[^\d]/g, "")));
  }

  it("refuses a start with an arm under 30 customers, beside the Start button", async () => {
    await saveDraft(app.page, app.url, "Tiny treatment", "Champions", { treatmentShare: 2 });
    const refusal = await app.page.getByTestId("start-refusal").innerText();
    expect(refusal).toMatch(/Too few customers to start: Treatment would get \d+ \(at least 30 per arm/);
    expect(await app.page.getByRole("button", { name: "Start the experiment" }).isDisabled()).toBe(true);
  });

  it("asks to confirm an underpowered start, stating the power, then starts on the chosen day", async () => {
    id = await saveDraft(app.page, app.url, "Win back At Risk", "At Risk", { mde: 5 });
    const warning = await app.page.getByTestId("start-warning").innerText();
    expect(warning).toMatch(/^power \d+% at the planned MDE of 5%, below the planned 80%: start anyway\?$/);
    // an earlier day than the data's last is refused, and nothing starts
    await app.page.getByLabel("Start day (send date)").fill("2011-01-01");
    await app.page.getByRole("button", { name: "Start anyway" }).click();
    await app.page.getByTestId("action-error").waitFor();
    expect(await app.page.getByTestId("action-error").innerText()).toMatch(
      /start date: 2011-01-01 is before the data set's last day 2011-12-09/,
    );
    expect(await app.page.getByTestId("experiment-status").innerText()).toMatch(/draft/i);
    await app.page.getByLabel("Start day (send date)").fill("2011-12-12");
    await startOpenDraft(app.page);
    await app.page.getByTestId("design-summary").waitFor();
    expect(await app.page.getByTestId("assignment").innerText()).toMatch(/Start day 2011-12-12/);
    figures = {
      audience: await app.page.getByTestId("audience-size").innerText(),
      total: await app.page.getByTestId("sample-total").innerText(),
    };
  });

  it("reloads a running experiment as a read-only summary whose preview answers 200", async () => {
    await reloadReadOnly();
    expect(await app.page.getByTestId("history").innerText()).toMatch(/started\s+start day 2011-12-12/);
    // the sizing sentence gives the sizes assigned (as the assignment card), the plan's labelled as planned
    const [, control, treatment] = (await app.page.getByTestId("assignment").innerText()).match(
      /Control ([\d,]+) · Treatment ([\d,]+)/,
    )!;
    expect(await app.page.getByTestId("assigned-sizing").innerText()).toContain(
      `Assigned at the start: ${control} in Control, ${treatment} in Treatment`,
    );
    expect(await app.page.getByTestId("experiment-preview").innerText()).toMatch(
      /Planned per arm[\s\S]*Planned total/i,
    );
    // underpowered at 5%: still said while running, of the arms assigned
    expect(await app.page.getByTestId("audience-too-small").innerText()).toMatch(/assigned arms are smaller/);
  });

  it("stops early with a reason, reloads the completed experiment cleanly, and records the decision", async () => {
    await app.page.getByLabel("Stop early: the reason").fill("the voucher code leaked");
    await app.page.getByRole("button", { name: "Stop early" }).click();
    await app.page.waitForURL(/stopped=1/);
    await status(/completed/i);
    await reloadReadOnly();
    expect(await app.page.getByTestId("assignment").innerText()).toContain("Stopped early: the voucher code leaked");
    // a planning alert has no place on a completed experiment
    expect(await app.page.getByTestId("audience-too-small").count()).toBe(0);
    // no results: any decision needs a reason
    await app.page.getByRole("button", { name: "Record the decision" }).click();
    await app.page.getByTestId("action-error").waitFor();
    expect(await app.page.getByTestId("action-error").innerText()).toMatch(/give the reason for the decision/);
    await app.page.getByRole("textbox", { name: /reason|Note/ }).fill("stopped before any result");
    await app.page.getByRole("button", { name: "Record the decision" }).click();
    await app.page.waitForURL(/decided=1/);
    expect(await app.page.getByTestId("decision-badge").innerText()).toMatch(/Inconclusive/i);
    expect(await app.page.getByTestId("history").innerText()).toMatch(
      /decided: Inconclusive\s+stopped before any result/,
    );
  });

  it("runs again as a new draft, archives and restores, and deletes a started experiment only with its name typed", async () => {
    await app.page.getByRole("button", { name: "Run again" }).click();
    await app.page.waitForURL(/cloned=/);
    await status(/draft/i);
    expect(await app.page.locator("h2").first().innerText()).toBe("Win back At Risk (copy)");
    await app.page.goto(`${app.url}/experiments/${id}`);
    await app.page.getByRole("button", { name: "Archive" }).click();
    await app.page.waitForURL(/archived=1/);
    await app.page.getByRole("button", { name: "Restore" }).click();
    await app.page.waitForURL(/restored=1/);
    await app.page.getByRole("button", { name: "Delete…" }).click();
    await app.page.getByLabel(/Type "Win back At Risk" to delete/).fill("Win back");
    await app.page.getByRole("button", { name: "Delete for good" }).click();
    await app.page.getByTestId("action-error").waitFor();
    expect(await app.page.getByTestId("action-error").innerText()).toMatch(
      /type the experiment's name "Win back At Risk"/,
    );
    await app.page.getByLabel(/Type "Win back At Risk" to delete/).fill("Win back At Risk");
    await app.page.getByRole("button", { name: "Delete for good" }).click();
    await app.page.waitForURL(/deleted=/);
    expect((await fetch(`${app.url}/experiments/${id}`)).status).toBe(404);
    expect((await fetch(`${app.url}/experiments/${id}/assignment.csv`)).status).toBe(404);
  });
});
