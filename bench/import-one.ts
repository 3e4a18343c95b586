import { openDb } from "~/db/db.server";
import { importFile } from "~/ingest/import.server";

// One import in a fresh process, so that its peak RSS is its own: prints the report's stage timings and the peak RSS.
const [file, dbPath] = process.argv.slice(2);
const db = openDb(dbPath);
const report = await importFile(db, file);
db.$client.close();
process.stdout.write(
  JSON.stringify({
    linesRead: report.linesRead,
    seconds: report.seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }) + "\n",
);
