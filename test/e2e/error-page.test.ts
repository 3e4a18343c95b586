import { describe, expect, it } from "vitest";
import { useApp } from "../support/app";

// The root error boundary: what went wrong in words, and the ways back.
describe("error page", () => {
  const app = useApp({ DEMO_DATA: "off" });

  it("an unknown address says it was not found and offers the board, the previous page and the data sets", async () => {
    await app.page.goto(`${app.url}/data`);
    const response = await app.page.goto(`${app.url}/no-such-page`);
    expect(response?.status()).toBe(404);
    await expect(app.page.getByRole("heading", { level: 2 }).textContent()).resolves.toBe("Not found");
    if (process.env.SCREENSHOT_DIR) await app.page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/error-page.png` });
    await app.page.getByRole("button", { name: "Back to the previous page" }).click();
    await app.page.waitForURL(/\/data$/);
    await app.page.goto(`${app.url}/no-such-page`);
    await app.page.getByRole("link", { name: "Go to the campaigns board" }).click();
    await app.page.waitForURL(`${app.url}/`);
    await app.page.getByRole("heading", { name: "Not found" }).waitFor({ state: "detached" });
  });
});
