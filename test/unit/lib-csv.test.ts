import { describe, expect, it } from "vitest";
import { CsvReader, type CsvRecord } from "~/ingest/csv";
import { csvCell, csvResponse, toCsv } from "~/lib/csv";

describe("csvCell", () => {
  it.each([
    ["=SUM(A1:A2)", "'=SUM(A1:A2)"],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["-2+3", "'-2+3"],
    ["@cmd", "'@cmd"],
    ["\tx", "'\tx"],
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ["=1,2", '"\'=1,2"'],
  ])("neutralises formula text %j → %j", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("prefixes and quotes text starting with CR", () => {
    expect(csvCell("\rx")).toBe('"\'\rx"');
  });

  it.each([
    ["plain", "plain"],
    ["", ""],
    ["a=b", "a=b"],
    ["1-2", "1-2"],
    ["x@y.z", "x@y.z"],
    [" =x", " =x"],
    ["'quoted", "'quoted"],
    ["£1 OFF", "£1 OFF"],
  ])("leaves ordinary text %j alone", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it.each([
    [0, "0"],
    [42, "42"],
    [2.55, "2.55"],
    [-5, "-5"],
    [-1234.56, "-1234.56"],
    [-0.01, "-0.01"],
  ])("writes number %d as %j without a prefix", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("writes non-finite numbers as empty cells", () => {
    expect(csvCell(Number.NaN)).toBe("");
    expect(csvCell(Number.POSITIVE_INFINITY)).toBe("");
    expect(csvCell(Number.NEGATIVE_INFINITY)).toBe("");
  });

  it("writes booleans as true/false", () => {
    expect(csvCell(true)).toBe("true");
    expect(csvCell(false)).toBe("false");
  });

  it("writes null and undefined as empty", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
  });

  it.each([
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['"', '""""'],
    ["line1\nline2", '"line1\nline2"'],
    ["line1\r\nline2", '"line1\r\nline2"'],
    ["end\r", '"end\r"'],
  ])("quotes %j as %j", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

describe("toCsv", () => {
  it("joins cells with commas and ends every line with CRLF", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          [1, "x"],
          [null, "y"],
          [undefined, true],
        ],
      ),
    ).toBe("a,b\r\n1,x\r\n,y\r\n,true\r\n");
  });

  it("writes just the header when there are no rows", () => {
    expect(toCsv(["Customer", "Total"], [])).toBe("Customer,Total\r\n");
  });

  it("quotes and neutralises header cells too", () => {
    expect(toCsv(["a,b", "=x"], [])).toBe('"a,b",\'=x\r\n');
  });

  it("round-trips through the CSV reader", () => {
    const rows = [
      ["12346", "Smith, J", 77183.6, -5],
      ['He said "hi"', "multi\r\nline", 0, null],
      ["=cmd", "-3", 1.5, true],
    ];
    const text = toCsv(["id", "name", "total", "n"], rows);
    const records: CsvRecord[] = [];
    new CsvReader().push(
      text,
      true,
      (r) => records.push(r),
      (p) => {
        throw new Error(p.reason);
      },
    );
    expect(records.map((r) => r.fields)).toEqual([
      ["id", "name", "total", "n"],
      ["12346", "Smith, J", "77183.6", "-5"],
      ['He said "hi"', "multi\r\nline", "0", ""],
      ["'=cmd", "'-3", "1.5", "true"],
    ]);
  });
});

describe("csvResponse", () => {
  it("sets the CSV content type and a safe attachment file name", async () => {
    const res = csvResponse('rfm "top"/customers.csv', "a,b\r\n");
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toBe('attachment; filename="rfm__top__customers.csv"');
    expect(await res.text()).toBe("a,b\r\n");
  });
});
