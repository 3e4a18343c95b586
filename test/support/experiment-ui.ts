import type { Page } from "playwright-core";

// Browser steps shared by the experiment tests: design a draft on a segment through the form, and start it.

/** Fills the new-experiment form (name, segment, optional arm-2 share) and saves the draft; the new experiment's id. */
export async function saveDraft(
  page: Page,
  url: string,
  name: string,
  segment: string,
  options: { treatmentShare?: number; mde?: number } = {},
): Promise<string> {
  // the form's first live preview is posted once React has hydrated: typing before that could be reset
  const hydrated = page.waitForResponse((r) => r.url().includes("/api/experiments/preview"));
  await page.goto(`${url}/experiments/new`);
  await hydrated;
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
  await page.getByRole("textbox", { name: "Segment" }).click();
  await page.getByRole("option", { name: segment, exact: true }).click();
  if (options.treatmentShare !== undefined) {
    await page.getByLabel("Arm 1 share (%)").fill(String(100 - options.treatmentShare));
    await page.getByLabel("Arm 2 share (%)").fill(String(options.treatmentShare));
  }
  if (options.mde !== undefined) await page.getByLabel("MDE (% relative)").fill(String(options.mde));
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.waitForURL(/\/experiments\/\d+\?saved=1/);
  await visibleStartCard(page);
  return page.url().match(/experiments\/(\d+)/)![1];
}

/**
 * Waits for the draft's start card. Earlier sessions saw, rarely, a blank body right after "Save draft" (cause not
 * found: the document stalled); a reload renders the page, so the helper reloads once rather than fail on it.
 */
async function visibleStartCard(page: Page) {
  try {
    await page.getByTestId("start-card").waitFor({ timeout: 15_000 });
  } catch {
    await page.reload();
    await page.getByTestId("start-card").waitFor();
  }
}

/** Starts the draft open in the page: "Start the experiment", or "Start anyway" when the check asks to confirm. */
export async function startOpenDraft(page: Page): Promise<void> {
  await page.getByRole("button", { name: /^Start (the experiment|anyway)$/ }).click();
  await page.waitForURL(/started=1/);
  // the URL can change before the started page has rendered: wait for its status, not only its address
  await page
    .getByTestId("experiment-status")
    .filter({ hasText: /running/i })
    .waitFor();
}
