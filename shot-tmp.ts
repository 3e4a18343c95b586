import { launchBrowser } from "./test/support/browser";
const { context, close } = await launchBrowser();
const page = await context.newPage();
page.on("console", (m) => m.type() === "error" && console.log("console error:", m.text()));
page.on("pageerror", (e) => console.log("page error:", e.message));
await page.setViewportSize({ width: 1400, height: 1000 });
for (const [path, file] of [["/", "/tmp/s-overview.png"], ["/cohorts", "/tmp/s-cohorts.png"], ["/revenue", "/tmp/s-revenue.png"]]) {
  await page.goto(`http://127.0.0.1:3111${path}`);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: file, fullPage: true });
}
await close();
