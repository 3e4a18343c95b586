import { describe, expect, it } from "vitest";
import { PIECE_CHARS } from "~/ingest/csv";
import { runPipeline, type TracedLine } from "~/ingest/pipeline";

// A decoded chunk is read in pieces (pipeline.ts `read`), with the records, the report and its examples of a chunk read
// whole: the reader's problems of a chunk listed before its unparsable lines, a quoted line end across a piece's end.
const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";
const line = (i: number, description = `ITEM ${i % 50}`) =>
  `${540000 + Math.floor(i / 3)},${20000 + (i % 50)},${description},${1 + (i % 4)},12/${1 + (i % 28)}/2010 9:${String(i % 60).padStart(2, "0")},1.25,${13000 + (i % 90)},United Kingdom`;

/** Two chunks: the first (1,500 lines) tells the date format; the second is read in pieces. */
function chunks(): Buffer[] {
  const first = [HEADER];
  for (let i = 1; i <= 1500; i++) first.push(line(i));
  // the second: a line that cannot be parsed, a quoted line end just before the end of its first piece (the piece
  // ends inside the record), then a field too long (a reader's problem) near its end
  let second = "";
  let i = 1501;
  while (second.length < PIECE_CHARS - 200)
    second += (i === 1600 ? line(i++).replace(",1.25,", ",NaN,") : line(i++)) + "\r\n";
  const pad = PIECE_CHARS - 25 - second.length - line(i, "ITEM ").length - 2;
  second += line(i++, `ITEM ${"P".repeat(pad)}`) + "\r\n";
  expect(second.length).toBe(PIECE_CHARS - 25);
  second += line(9000, '"TWO\r\nLINES, ONE FIELD"').replace(",20000,", ",QUOTED,") + "\r\n";
  expect(second.lastIndexOf("\n", PIECE_CHARS)).toBe(second.indexOf("TWO") + 4); // the line end within the quotes
  for (; i < 5000; i++) second += (i === 4980 ? line(i, "L".repeat(11_000)) : line(i)) + "\r\n";
  expect(second.length).toBeGreaterThan(3 * PIECE_CHARS);
  return [Buffer.from(first.join("\r\n") + "\r\n", "latin1"), Buffer.from(second, "latin1")];
}

const source = () => {
  const parts = chunks();
  return { chunks: parts, totalBytes: parts[0].length + parts[1].length };
};

describe("reading a chunk in pieces", () => {
  it("gives the records and the examples in the order of the whole chunk", async () => {
    const result = await runPipeline(source());
    expect(result.counts.rejectedLines).toBe(2);
    expect(result.rejectedExamples.map((e) => e.reason)).toEqual([
      "field 3 is longer than 10,240 characters",
      'price "NaN" is not a number',
    ]);
    expect(result.products.get("QUOTED")?.description).toBe("TWO\r\nLINES, ONE FIELD");
  });

  it("gives the same lines as the whole chunk read at once (as when tracing)", async () => {
    const traced: TracedLine[] = [];
    const whole = await runPipeline(source(), { trace: (l) => traced.push(l) });
    const pieces = await runPipeline(source());
    expect(pieces.counts).toEqual(whole.counts);
    expect(pieces.rejectedExamples).toEqual(whole.rejectedExamples);
    expect([...pieces.orders.values()]).toEqual([...whole.orders.values()]);
    expect([...pieces.products.values()]).toEqual([...whole.products.values()]);
    expect(traced.filter((l) => l.outcome === "rejected").map((l) => l.reason)).toEqual(
      whole.rejectedExamples.map((e) => e.reason),
    );
  });
});
