import { describe, expect, it } from "vitest";
import { useApp } from "../support/app";
import { drawn, expectLinear } from "../support/chart";

// Segments, a segment's members, the CSV export, personas and audiences in a real browser on demo data.
describe("segments pages", () => {
  const app = useApp({ DEMO_LINES: "60000" });

  it("lists the 11 segments with shares, actions and both charts", async () => {
    await app.page.goto(`${app.url}/segments`);
    const table = app.page.getByTestId("segments-table");
    expect(await table.locator("tbody tr").count()).toBe(11);
    expect(await table.innerText()).toContain("Win back with a personal offer");
    const api = await (await fetch(`${app.url}/api/segments`)).json();
    expect(api.customers).toBe(480);
    expect(api.segments.reduce((s: number, x: { customers: number }) => s + x.customers, 0)).toBe(480);
    // the R × FM grid: each cell labelled with the API's count (grid row 0 is R 5), 480 customers in all
    const grid = await drawn(app.page, "chart-rfm-grid");
    expect(grid.cells).toEqual(
      (api.grid as number[][]).flatMap((row, i) =>
        row.map((n, j) => ({ id: `R ${5 - i}.FM ${j + 1}`, label: n.toLocaleString("en-GB") })),
      ),
    );
    expect(grid.cells.reduce((s, c) => s + Number(c.label.replace(/,/g, "")), 0)).toBe(480);
    // shares: two bars per segment, at the table's share of customers and of net revenue (to 0.1 point)
    type Segment = { name: string; customerShare: number; revenueShare: number };
    const shares = await drawn(app.page, "chart-segment-shares");
    const share = (key: string, name: string) =>
      parseFloat(shares.bars.find((b) => b.label?.startsWith(`${key}, ${name}: `))!.label!.split(": ")[1]);
    const rows = await table
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
    expect(shares.bars).toHaveLength(2 * rows.length);
    for (const [name, , customers, revenue] of rows) {
      expect(share("Customers", name)).toBeCloseTo(parseFloat(customers), 5);
      expect(share("Revenue", name)).toBeCloseTo(parseFloat(revenue), 5);
    }
    const segments: Segment[] = [...api.segments].reverse(); // drawn bottom-up: the table's first segment on top
    expectLinear(
      segments.flatMap((s) => [s.customerShare, s.revenueShare]),
      segments.flatMap((_, i) => [shares.bars[i].width, shares.bars[segments.length + i].width]),
      { throughZero: true, tolerance: 1.5 }, // the bars are drawn at the share rounded to 0.1 point
    );
  });

  it("opens a segment: members searched, sorted and paged on the server, and its CSV", async () => {
    await app.page.goto(`${app.url}/segments`);
    await app.page.getByTestId("segments-table").getByRole("link", { name: "Champions" }).click();
    await app.page.waitForURL(/\/segments\/champions$/);
    const rows = app.page.getByTestId("members-table").locator("tbody tr");
    await rows.first().waitFor();
    expect(await app.page.getByTestId("members-table").innerText()).toContain("Champions");
    // each distribution's bars count every member of the segment once
    const champions = (await (await fetch(`${app.url}/api/segments`)).json()).segments.find(
      (x: { name: string }) => x.name === "Champions",
    ).customers;
    for (const id of ["dist-recency", "dist-frequency", "dist-monetary"]) {
      const bins = (await drawn(app.page, id)).bars.map((b) =>
        Number(b.label!.match(/: ([\d,]+) customers$/)![1].replace(/,/g, "")),
      );
      expect(bins.length).toBeGreaterThan(1);
      expect(bins.reduce((a, b) => a + b, 0)).toBe(champions);
    }
    await app.page.getByRole("link", { name: /^Orders/ }).click();
    await app.page.waitForURL(/sort=frequency/);
    const first = await rows.first().locator("td").first().innerText();
    await app.page.getByLabel("Search members").fill(first);
    await app.page.getByLabel("Search members").press("Enter");
    await app.page.waitForURL(new RegExp(`q=${first}`));
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    expect(await rows.first().locator("td").first().innerText()).toBe(first);
    const csv = await (await fetch(`${app.url}/api/segments/members.csv?segment=champions`)).text();
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("CustomerID,Recency,Frequency,Monetary (GBP),R,F,M,RFM,Segment,Persona");
    expect(lines.slice(1).every((l) => l.includes(",Champions,"))).toBe(true);
  });

  it("opens a customer from the members table", async () => {
    await app.page.goto(`${app.url}/segments/champions`);
    const link = app.page.getByTestId("members-table").locator("tbody tr").first().getByRole("link");
    const id = await link.innerText();
    await link.click();
    await app.page.waitForURL(new RegExp(`/customers/${id}$`));
    expect(await app.page.getByTestId("customer").innerText()).toContain(`Customer ${id}`);
    expect(await app.page.getByTestId("customer-orders").locator("tbody tr").count()).toBeGreaterThan(0);
  });

  it("saves a segment as an audience and shows its live size", async () => {
    await app.page.goto(`${app.url}/segments/at-risk`);
    const size = (await app.page.locator("text=/^\\d+ customers/").first().innerText()).split(" ")[0];
    await app.page.getByRole("button", { name: "Use as audience" }).click();
    await app.page.waitForURL(/\/audiences\?saved=\d+/);
    await app.page.getByTestId("audience-saved").waitFor();
    const table = app.page.getByTestId("audiences-table");
    expect(await table.innerText()).toMatch(new RegExp(`At Risk\\s+segment\\s+Segment: At Risk\\s+${size}`, "i"));
  });

  it("personas: sweep charts, a stored choice of k, and a filter audience with errors beside the fields", async () => {
    await app.page.goto(`${app.url}/segments/personas`);
    // the sweep: one point per k of the API's sweep at its silhouette and inertia, the best k marked
    const personas = (await (await fetch(`${app.url}/api/segments`)).json()).personas;
    type Sweep = { k: number; silhouette: number; inertia: number };
    const silhouette = await drawn(app.page, "chart-silhouette");
    expect(silhouette.points).toBe(personas.sweep.length);
    expectLinear(
      personas.sweep.map((r: Sweep) => r.silhouette),
      silhouette.lines[0].map((p) => p.y),
      { direction: -1 },
    );
    expectLinear(
      personas.sweep.map((r: Sweep) => r.k),
      silhouette.lines[0].map((p) => p.x),
    );
    expect(silhouette.texts).toContain(`best k = ${personas.bestK}`);
    const elbow = await drawn(app.page, "chart-elbow");
    expectLinear(
      personas.sweep.map((r: Sweep) => r.inertia),
      elbow.lines[0].map((p) => p.y),
      { direction: -1 },
    );
    // the scatter: a dot per customer (480, under the 1,500 shown) and a legend entry (a dot too) per persona
    const scatter = await drawn(app.page, "chart-persona-scatter");
    expect(scatter.texts).toEqual(expect.arrayContaining(personas.clusters.map((c: { name: string }) => c.name)));
    expect(scatter.points).toBe(480 + personas.clusters.length);
    await app.page.getByRole("textbox", { name: "Number of personas (k)" }).click();
    await app.page.getByRole("option", { name: /^k = 5/ }).click();
    await app.page.getByRole("button", { name: "Use this k" }).click();
    await app.page.getByText("Now: k = 5").waitFor();
    expect(await app.page.getByTestId("persona-cards").locator(".mantine-Card-root").count()).toBe(5);

    await app.page.goto(`${app.url}/audiences`);
    await app.page.getByLabel("Name").fill("Lapsed big spenders");
    await app.page.getByLabel("Net spend ≥").fill("500");
    await app.page.getByLabel("Days since last order ≥").fill("90");
    await app.page.getByLabel("Days since last order ≥").press("Tab");
    await app.page.waitForFunction(
      () =>
        /customers ·/.test(document.querySelector("[data-testid=audience-preview]")?.textContent ?? "") &&
        /net spend ≥ 500/.test(document.querySelector("[data-testid=audience-preview]")?.textContent ?? "") &&
        // both filters: a preview of the spend filter alone (typed first) may still be showing
        /days since last order ≥ 90/.test(document.querySelector("[data-testid=audience-preview]")?.textContent ?? ""),
    );
    const preview = await app.page.getByTestId("audience-preview").innerText();
    await app.page.getByRole("button", { name: "Save audience" }).click();
    await app.page.getByTestId("audience-saved").waitFor();
    expect(await app.page.getByTestId("audiences-table").innerText()).toContain(preview.split(" customers")[0]);

    // a minimum above the maximum is refused with the message beside the field
    await app.page.getByLabel("Name").fill("Impossible");
    await app.page.getByLabel("Orders ≥").fill("5");
    await app.page.getByLabel("≤").nth(1).fill("2");
    await app.page.getByRole("button", { name: "Save audience" }).click();
    await app.page.getByText("min is above max").first().waitFor();
    expect(await app.page.getByTestId("audiences-table").innerText()).not.toContain("Impossible");
  });
});
