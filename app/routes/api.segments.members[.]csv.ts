import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db/db.server";
import { activeDatasetId } from "~/db/datasets.server";
import { csvResponse, toCsv } from "~/lib/csv";
import { allMembers, rfmCsvHeader, rfmCsvRow, segmentFromSlug } from "~/segments/queries.server";

// GET /api/segments/members.csv[?segment=<slug>|persona=<cluster>] — rfm_customers.csv for everyone or one group.
export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const id = activeDatasetId(db);
  if (id === null) throw new Response("No data set yet", { status: 404 });
  const search = new URL(request.url).searchParams;
  const slug = search.get("segment");
  const segment = slug ? segmentFromSlug(slug) : undefined;
  if (segment === null) throw new Response(`No segment "${slug}"`, { status: 404 });
  const personaText = search.get("persona");
  const persona = personaText !== null && /^\d$/.test(personaText) ? Number(personaText) : undefined;
  return csvResponse(
    "rfm_customers.csv",
    toCsv(rfmCsvHeader(db, id), allMembers(db, id, { segment, persona }).map(rfmCsvRow)),
  );
}
