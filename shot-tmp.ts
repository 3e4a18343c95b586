import { launchBrowser } from "./test/support/browser";
const { context, close } = await launchBrowser();
const page = await context.newPage();
page.on("console", (m) => m.type() === "error" && console.log("console error:", m.text().slice(0, 300)));
page.on("pageerror", (e) => console.log("page error:", e.stack?.slice(0, 600)));
await page.setViewportSize({ width: 1400, height: 1000 });
for (const [path, file] of [["/segments", "/tmp/s-seg.png"], ["/segments/at-risk", "/tmp/s-segd.png"], ["/segments/personas", "/tmp/s-pers.png"], ["/audiences", "/tmp/s-aud.png"], ["/customers/12347", "/tmp/s-cust.png"]]) {
  const r = await page.goto(`http://127.0.0.1:3111${path}`);
  console.log(path, r?.status());
  await page.waitForTimeout(1200);
  await page.screenshot({ path: file, fullPage: true });
}
await close();
