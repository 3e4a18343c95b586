import { describe, expect, it } from "vitest";
import { useApp } from "../support/app";

// The Campaigns board at "/" (issue 16): the three-step guide while there is no test, then the columns with their
// cards (audience and size, arms, start day and days observed, lift or "no results yet", decision, REHEARSAL, next
// action), Archived behind a toggle; the overview moved to /overview and its old filtered links still land there.
describe("campaigns board", () => {
  const app = useApp({ DEMO_LINES: "80000" });
  const api = async (path: string, body: unknown = {}) => {
    const r = await fetch(`${app.url}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(r.status, path).toBeLessThan(300);
    return r.json();
  };

  it("shows the guide with the done steps ticked, each step a link", async () => {
    await app.page.goto(app.url);
    await app.page.getByTestId("guide").waitFor();
    expect(await app.page.getByTestId("guide-import").getAttribute("data-done")).toBe("yes");
    expect(await app.page.getByTestId("guide-audience").getAttribute("data-done")).toBe("no");
    expect(await app.page.getByTestId("guide-design").getAttribute("data-done")).toBe("no");
    await app.page.getByRole("link", { name: "Design a test" }).click();
    await app.page.waitForURL(/\/experiments\/new$/);
    // the old overview links land on the overview
    await app.page.goto(`${app.url}/?country=Germany`);
    await app.page.waitForURL(/\/overview\?country=Germany$/);
    await app.page.getByTestId("kpis").waitFor();
  });

  it("puts each test in its column with its figures, badges and next action; archived ones behind the toggle", async () => {
    const champions = { audience: { kind: "segment", segment: "Champions" } };
    const draft = await api("/api/experiments", { ...champions, name: "Draft on Champions" });
    const running = await api("/api/experiments", { ...champions, name: "Rehearsed on Champions" });
    await api(`/api/experiments/${running.id}/start`);
    await api(`/api/experiments/${running.id}/results`, { source: "simulation", seed: 4, lift: { Treatment: 0.3 } });
    const done = await api("/api/experiments", { ...champions, name: "Stopped on Champions" });
    await api(`/api/experiments/${done.id}/start`);
    await api(`/api/experiments/${done.id}/stop`, { reason: "stock ran out" });
    await api(`/api/experiments/${done.id}/decide`, { decision: "dont-ship", note: "no stock" });
    const old = await api("/api/experiments", { ...champions, name: "Old idea" });
    await api(`/api/experiments/${old.id}/archive`);

    await app.page.goto(app.url);
    await app.page.getByTestId("board").waitFor();
    const draftCard = await app.page.getByTestId("column-draft").innerText();
    expect(draftCard).toMatch(
      /Draft on Champions[\s\S]*Segment: Champions · [\d,]+ customers[\s\S]*Control 50% · Treatment 50%[\s\S]*not started[\s\S]*Start/,
    );
    const runningCard = await app.page.getByTestId(`card-${running.id}`).innerText();
    expect(runningCard).toMatch(/REHEARSAL/);
    expect(runningCard).toMatch(/Started 2011-12-09 · day 0 of 30 observed/);
    expect(runningCard).toMatch(/Conversion: [+-]?\d+\.\d+% \([+-]?\d+\.\d+%|…/);
    expect(runningCard).toMatch(/Record results$/); // a rehearsal is not a result
    const doneCard = await app.page.getByTestId(`card-${done.id}`).innerText();
    expect(doneCard).toMatch(/DON'T SHIP[\s\S]*STOPPED EARLY[\s\S]*no results yet[\s\S]*Open$/);
    expect(await app.page.getByTestId("column-completed").innerText()).toContain("Stopped on Champions");
    expect(await app.page.getByText("Old idea").count()).toBe(0);
    await app.page.getByRole("link", { name: "Show archived (1)" }).click();
    await app.page.waitForURL(/archived=1/);
    expect(await app.page.getByTestId("column-archived").innerText()).toContain("Old idea");
    if (process.env.SCREENSHOT_DIR) await app.page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/board.png` });
    await app.page.getByTestId(`card-${draft.id}`).getByRole("link", { name: "Start" }).click();
    await app.page.getByTestId("start-card").waitFor();
  });

  it('opens a prefilled test from a segment, a persona and a recommendation ("Design a test")', async () => {
    const segmentValue = () => app.page.getByRole("textbox", { name: "Segment" }).inputValue();
    await app.page.goto(`${app.url}/segments/champions`);
    await app.page.getByRole("link", { name: "Design a test" }).click();
    await app.page.waitForURL(/\/experiments\/new\?segment=Champions$/);
    await app.page.getByTestId("sample-total").waitFor();
    expect(await segmentValue()).toBe("Champions");
    expect(await app.page.getByTestId("audience-size").innerText()).toMatch(/^[\d,]+ customers$/);
    await app.page.goto(`${app.url}/recommendations`);
    await app.page.getByRole("link", { name: "Design a test on At Risk →" }).click();
    await app.page.waitForURL(/campaign=reactivation/);
    expect(await segmentValue()).toBe("At Risk");
    expect(await app.page.getByRole("textbox", { name: "Campaign type" }).inputValue()).toBe("reactivation discount");
    // a grid cell: saved as a filter audience, and the new test opens on it
    await app.page.goto(`${app.url}/segments/r5-fm4`);
    await app.page.getByRole("button", { name: "Design a test" }).click();
    await app.page.waitForURL(/\/experiments\/new\?audience=\d+$/);
    expect(await app.page.getByRole("textbox", { name: "Saved audience" }).inputValue()).toBe("R 5 × FM 4 (Champions)");
    await app.page.goto(`${app.url}/segments/personas`);
    await app.page.getByRole("link", { name: "Design a test" }).first().click();
    await app.page.waitForURL(/\/experiments\/new\?persona=\d$/);
    expect(await app.page.getByRole("textbox", { name: "Persona" }).inputValue()).not.toBe("");
  });
});
