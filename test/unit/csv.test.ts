import { describe, expect, it } from "vitest";
import { CsvReader, type CsvProblem, type CsvRecord } from "~/ingest/csv";

type Result = { records: CsvRecord[]; problems: CsvProblem[] };

/** Feeds the chunks in order, the last one with final = true (an extra empty final push when finalEmpty). */
function read(chunks: string[], finalEmpty = false): Result {
  const reader = new CsvReader();
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const onRecord = (r: CsvRecord) => records.push(r);
  const onProblem = (p: CsvProblem) => problems.push(p);
  chunks.forEach((c, i) => reader.push(c, !finalEmpty && i === chunks.length - 1, onRecord, onProblem));
  if (finalEmpty) reader.push("", true, onRecord, onProblem);
  return { records, problems };
}

const whole = (text: string) => read([text]);

/** Every way of cutting text into two chunks, and a cut into single characters. */
function expectChunkingInvariant(text: string) {
  const expected = whole(text);
  for (let cut = 0; cut <= text.length; cut++) {
    expect(read([text.slice(0, cut), text.slice(cut)]), `cut at ${cut}`).toEqual(expected);
    expect(read([text.slice(0, cut), text.slice(cut)], true), `cut at ${cut}, then empty final`).toEqual(expected);
  }
  expect(read([...text], true), "one character per chunk").toEqual(expected);
  expect(read([...text]), "one character per chunk, last final").toEqual(expected);
  return expected;
}

const SAMPLE =
  "InvoiceNo,StockCode,Description,Quantity\r\n" +
  '536365,85123A,"WHITE HANGING HEART, T-LIGHT HOLDER",6\r\n' +
  '536366,22423,"REGENCY ""CAKESTAND"" 3 TIER",2\r\n' +
  "\r\n" +
  '536367,84879,"MULTI\r\nLINE, with ""quotes""",32\r\n' +
  "536368,22960,PLAIN,1\r\n";

describe("CsvReader: basic records", () => {
  it("splits LF lines into fields with 1-based line numbers", () => {
    const { records, problems } = whole("a,b,c\n1,2,3\n");
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ["a", "b", "c"], raw: "a,b,c" },
      { line: 2, fields: ["1", "2", "3"], raw: "1,2,3" },
    ]);
  });

  it("treats CRLF like LF and drops the CR from raw and fields", () => {
    expect(whole("a,b,c\r\n1,2,3\r\n")).toEqual(whole("a,b,c\n1,2,3\n"));
    const { records } = whole("x,y\r\n");
    expect(records[0].fields).toEqual(["x", "y"]);
    expect(records[0].raw).toBe("x,y");
  });

  it("handles mixed CRLF and LF line ends", () => {
    const { records } = whole("a,b\r\nc,d\ne,f\r\n");
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ["a", "b"]],
      [2, ["c", "d"]],
      [3, ["e", "f"]],
    ]);
  });

  it("keeps empty fields, including leading and trailing ones", () => {
    const { records } = whole(",a,,b,\n");
    expect(records[0].fields).toEqual(["", "a", "", "b", ""]);
  });

  it("keeps spaces in unquoted fields as written", () => {
    expect(whole(" a , b \n").records[0].fields).toEqual([" a ", " b "]);
  });

  it("reads quoted fields with commas", () => {
    const { records } = whole('1,"a, b, c",2\n');
    expect(records[0].fields).toEqual(["1", "a, b, c", "2"]);
    expect(records[0].raw).toBe('1,"a, b, c",2');
  });

  it('unescapes "" inside quoted fields', () => {
    expect(whole('"say ""hi""",x\n').records[0].fields).toEqual(['say "hi"', "x"]);
    expect(whole('""""\n').records[0].fields).toEqual(['"']);
    expect(whole('"",""\n').records[0].fields).toEqual(["", ""]);
    expect(whole('a,""\n').records[0].fields).toEqual(["a", ""]);
    expect(whole('"a",\n').records[0].fields).toEqual(["a", ""]);
  });

  it("appends text after a closing quote leniently", () => {
    expect(whole('"ab"cd,e\n').records[0].fields).toEqual(["abcd", "e"]);
  });

  it("reads the sample", () => {
    const { records, problems } = whole(SAMPLE);
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ["InvoiceNo", "StockCode", "Description", "Quantity"]],
      [2, ["536365", "85123A", "WHITE HANGING HEART, T-LIGHT HOLDER", "6"]],
      [3, ["536366", "22423", 'REGENCY "CAKESTAND" 3 TIER', "2"]],
      [5, ["536367", "84879", 'MULTI\r\nLINE, with "quotes"', "32"]],
      [7, ["536368", "22960", "PLAIN", "1"]],
    ]);
  });
});

describe("CsvReader: quoted fields spanning lines", () => {
  it("gives the record the first physical line's number and counts the extra line", () => {
    const { records, problems } = whole('h1,h2,h3\n1,"x\ny",2\n3,4,5\n');
    expect(problems).toEqual([]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 4]);
    expect(records[1].fields).toEqual(["1", "x\ny", "2"]);
    expect(records[1].raw).toBe('1,"x\ny",2');
    expect(records[2].fields).toEqual(["3", "4", "5"]);
  });

  it("handles a field spanning several lines, including empty ones", () => {
    const { records } = whole('a,"one\n\ntwo\nthree",b\nnext\n');
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ["a", "one\n\ntwo\nthree", "b"]],
      [5, ["next"]],
    ]);
  });

  it("keeps CRLF inside a quoted field", () => {
    const { records } = whole('"a\r\nb",c\r\nd\r\n');
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ["a\r\nb", "c"]],
      [3, ["d"]],
    ]);
  });

  it('handles "" escapes on the continuation line', () => {
    const { records } = whole('"first\nsecond ""q""",z\n');
    expect(records[0].fields).toEqual(['first\nsecond "q"', "z"]);
  });
});

describe("CsvReader: empty lines and the end of input", () => {
  it("skips empty lines but counts them", () => {
    const { records } = whole("a\n\n\nb\r\n\r\nc\n");
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ["a"]],
      [4, ["b"]],
      [6, ["c"]],
    ]);
  });

  it("reads nothing from empty input or blank lines only", () => {
    expect(whole("")).toEqual({ records: [], problems: [] });
    expect(whole("\n\r\n\n")).toEqual({ records: [], problems: [] });
  });

  it("flushes a last line without a trailing newline only on the final push", () => {
    const reader = new CsvReader();
    const records: CsvRecord[] = [];
    const problems: CsvProblem[] = [];
    reader.push(
      "a,b\nc,d",
      false,
      (r) => records.push(r),
      (p) => problems.push(p),
    );
    expect(records.map((r) => r.fields)).toEqual([["a", "b"]]);
    reader.push(
      "",
      false,
      (r) => records.push(r),
      (p) => problems.push(p),
    );
    expect(records).toHaveLength(1);
    reader.push(
      "",
      true,
      (r) => records.push(r),
      (p) => problems.push(p),
    );
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ["a", "b"]],
      [2, ["c", "d"]],
    ]);
    expect(problems).toEqual([]);
  });

  it("continues a partial last line with the next chunk", () => {
    expect(read(["a,b\nc,", "d\ne,f"]).records.map((r) => r.fields)).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e", "f"],
    ]);
  });

  it("flushes a final line ending in CR only", () => {
    expect(whole("a,b\r").records).toEqual([{ line: 1, fields: ["a", "b"], raw: "a,b" }]);
  });

  it("reads a final quoted multi-line record without a trailing newline", () => {
    const { records, problems } = whole('x\n"a\nb",c');
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ["x"]],
      [2, ["a\nb", "c"]],
    ]);
  });
});

describe("CsvReader: unclosed quotes", () => {
  it("reports an unclosed quote at the end of the file with its line number", () => {
    const { records, problems } = whole('a,b\n1,2\n3,"open\n4,5\n');
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ["a", "b"]],
      [2, ["1", "2"]],
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0].line).toBe(3);
    expect(problems[0].reason).toBe("unclosed quote at end of file");
    expect(problems[0].raw.startsWith('3,"open')).toBe(true);
  });

  it("reports an unclosed quote on a last line without a newline", () => {
    const { records, problems } = whole('a\n"b');
    expect(records.map((r) => r.fields)).toEqual([["a"]]);
    expect(problems).toEqual([{ line: 2, raw: '"b', reason: "unclosed quote at end of file" }]);
  });

  it("reports the same problem however the input is chunked", () => {
    const text = 'a,b\r\n1,"x"\r\n3,"open\r\nmore,stuff\r\n';
    const expected = expectChunkingInvariant(text);
    expect(expected.problems.map((p) => p.line)).toEqual([3]);
    expect(expected.records.map((r) => r.line)).toEqual([1, 2]);
  });
});

describe("CsvReader: chunking does not change the result", () => {
  it('for the sample, cut at every position (inside quotes, between CR and LF, inside "")', () => {
    const expected = expectChunkingInvariant(SAMPLE);
    expect(expected.records).toHaveLength(5);
  });

  it("for LF text with a multi-line field", () => {
    const expected = expectChunkingInvariant('h\n1,"x\ny",2\n\n3,"a""b",4\nlast,line');
    expect(expected.records.map((r) => [r.line, r.fields])).toEqual([
      [1, ["h"]],
      [2, ["1", "x\ny", "2"]],
      [5, ["3", 'a"b', "4"]],
      [6, ["last", "line"]],
    ]);
  });

  it("splitting between \\r and \\n", () => {
    const text = "a,b\r\nc,d\r\n";
    const cut = text.indexOf("\n");
    expect(text[cut - 1]).toBe("\r");
    expect(read([text.slice(0, cut), text.slice(cut)])).toEqual(whole(text));
    expect(whole(text).records.map((r) => r.raw)).toEqual(["a,b", "c,d"]);
  });

  it('splitting in the middle of a "" escape', () => {
    const text = '1,"he said ""no""",2\r\n3,4\r\n';
    const cut = text.indexOf('""') + 1; // between the two quotes
    const { records } = read([text.slice(0, cut), text.slice(cut)]);
    expect(records).toEqual(whole(text).records);
    expect(records[0].fields).toEqual(["1", 'he said "no"', "2"]);
  });

  it("splitting inside a quoted field that spans lines", () => {
    const text = 'a,"line one\r\nline two, still",b\r\nc\r\n';
    const cut = text.indexOf("one") + 2;
    const { records } = read([text.slice(0, cut), text.slice(cut)]);
    expect(records).toEqual(whole(text).records);
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ["a", "line one\r\nline two, still", "b"]],
      [3, ["c"]],
    ]);
  });

  it("for many random chunkings of a larger file", () => {
    let text = "InvoiceNo,Description,Quantity\r\n";
    for (let i = 0; i < 200; i++) {
      const desc = i % 7 === 0 ? `"multi\r\nline ""${i}"", x"` : i % 5 === 0 ? `"with, comma ${i}"` : `plain ${i}`;
      text += `${536000 + i},${desc},${i}\r\n`;
      if (i % 13 === 0) text += "\r\n";
    }
    const expected = whole(text);
    expect(expected.problems).toEqual([]);
    expect(expected.records).toHaveLength(201);
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let trial = 0; trial < 50; trial++) {
      const chunks: string[] = [];
      for (let pos = 0; pos < text.length;) {
        const size = 1 + Math.floor(rand() * 40);
        chunks.push(text.slice(pos, pos + size));
        pos += size;
      }
      expect(read(chunks, trial % 2 === 0)).toEqual(expected);
    }
  });
});
