import { describe, expect, it } from "vitest";
import { useApp } from "../support/app";

// Segments, a segment's members, the CSV export, personas and audiences in a real browser on demo data.
describe("segments pages", () => {
  const app = useApp({ DEMO_LINES: "60000" });

  it("lists the 11 segments with shares, actions and both charts", async () => {
    await app.page.goto(`${app.url}/segments`);
    const table = app.page.getByTestId("segments-table");
    expect(await table.locator("tbody tr").count()).toBe(11);
    expect(await table.innerText()).toContain("Win back with a personal offer");
    for (const id of ["chart-segment-shares", "chart-rfm-grid"])
      await app.page.getByTestId(id).locator("svg").first().waitFor();
    const api = await (await fetch(`${app.url}/api/segments`)).json();
    expect(api.customers).toBe(480);
    expect(api.segments.reduce((s: number, x: { customers: number }) => s + x.customers, 0)).toBe(480);
  });

  it("opens a segment: members searched, sorted and paged on the server, and its CSV", async () => {
    await app.page.goto(`${app.url}/segments`);
    await app.page.getByTestId("segments-table").getByRole("link", { name: "Champions" }).click();
    await app.page.waitForURL(/\/segments\/champions$/);
    const rows = app.page.getByTestId("members-table").locator("tbody tr");
    await rows.first().waitFor();
    expect(await app.page.getByTestId("members-table").innerText()).toContain("Champions");
    for (const id of ["dist-recency", "dist-frequency", "dist-monetary"])
      await app.page.getByTestId(id).locator("svg").first().waitFor();
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
    for (const id of ["chart-silhouette", "chart-elbow", "chart-persona-scatter"])
      await app.page.getByTestId(id).locator("svg").first().waitFor();
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
        /net spend ≥ 500/.test(document.querySelector("[data-testid=audience-preview]")?.textContent ?? ""),
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
