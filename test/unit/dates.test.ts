import { describe, expect, it } from "vitest";
import { DATE_FORMATS, detectDateFormat, normaliseDateFormat, parseDate } from "~/ingest/dates";

describe("parseDate: M/D/YYYY H:MM", () => {
  const f = "M/D/YYYY H:MM" as const;
  it.each([
    ["12/1/2010 8:26", "2010-12-01T08:26:00"],
    ["12/1/2010 08:26", "2010-12-01T08:26:00"],
    ["1/2/2011 13:05", "2011-01-02T13:05:00"],
    ["12/9/2011 12:50", "2011-12-09T12:50:00"],
    ["01/02/2011 0:00", "2011-01-02T00:00:00"],
    ["12/31/2011 23:59", "2011-12-31T23:59:00"],
    ["12/1/2010 8:26:45", "2010-12-01T08:26:45"],
    ["12/1/2010 8:26:59", "2010-12-01T08:26:59"],
    ["12/1/2010T8:26", "2010-12-01T08:26:00"],
    ["12/1/2010", "2010-12-01T00:00:00"],
    ["2/29/2012 10:00", "2012-02-29T10:00:00"],
    ["2/29/2000", "2000-02-29T00:00:00"],
  ])("%s → %s", (text, iso) => {
    expect(parseDate(text, f)).toBe(iso);
  });

  it.each([
    "2/30/2011",
    "2/29/2011", // not a leap year
    "2/29/1900", // century, not a leap year
    "13/1/2011", // month 13 when read month-first
    "0/1/2011",
    "1/0/2011",
    "4/31/2011",
    "1/32/2011",
    "12/1/2010 24:00",
    "12/1/2010 8:60",
    "12/1/2010 8:26:60",
    "12/1/2010 8:6", // minutes need two digits
    "12/1/10 8:26", // two-digit year
    "12/1/2010 8", // hour without minutes
    "12-1-2010 8:26",
    "2010-12-01 08:26:00",
    "",
    "garbage",
    " 12/1/2010 8:26",
    "12/1/2010 8:26 ",
    "12/1/1899",
    "12/1/2201",
  ])("%j → null", (text) => {
    expect(parseDate(text, f)).toBeNull();
  });
});

describe("parseDate: D/M/YYYY H:MM", () => {
  const f = "D/M/YYYY H:MM" as const;
  it.each([
    ["1/12/2010 8:26", "2010-12-01T08:26:00"],
    ["13/1/2011 9:00", "2011-01-13T09:00:00"],
    ["31/12/2011 23:59", "2011-12-31T23:59:00"],
    ["29/2/2012", "2012-02-29T00:00:00"],
    ["1/2/2011 10:11:12", "2011-02-01T10:11:12"],
  ])("%s → %s", (text, iso) => {
    expect(parseDate(text, f)).toBe(iso);
  });

  it.each(["1/13/2011", "30/2/2011", "29/2/2011", "31/4/2011", "1/1/2011 24:00", "1/1/2011 12:60"])(
    "%j → null",
    (text) => {
      expect(parseDate(text, f)).toBeNull();
    },
  );

  it("reads the same text differently from M/D", () => {
    expect(parseDate("3/4/2011 10:00", "M/D/YYYY H:MM")).toBe("2011-03-04T10:00:00");
    expect(parseDate("3/4/2011 10:00", "D/M/YYYY H:MM")).toBe("2011-04-03T10:00:00");
  });
});

describe("parseDate: YYYY-MM-DD HH:MM:SS", () => {
  const f = "YYYY-MM-DD HH:MM:SS" as const;
  it.each([
    ["2009-12-01 07:45:00", "2009-12-01T07:45:00"],
    ["2009-12-01T07:45:00", "2009-12-01T07:45:00"],
    ["2009-12-01 07:45", "2009-12-01T07:45:00"],
    ["2009-12-01", "2009-12-01T00:00:00"],
    ["2011-12-09 12:50:59", "2011-12-09T12:50:59"],
    ["2009-12-01 07:45:00.123", "2009-12-01T07:45:00"],
    ["2009-12-01T07:45:00.5", "2009-12-01T07:45:00"],
    ["2009-12-01T07:45:00Z", "2009-12-01T07:45:00"],
    ["2009-12-01T07:45:00.000Z", "2009-12-01T07:45:00"],
    ["2009-12-01T07:45:00+01:00", "2009-12-01T07:45:00"], // local time as written: the offset is not applied
    ["2009-12-01T07:45:00-0500", "2009-12-01T07:45:00"],
    ["2009-12-01T07:45+02:00", "2009-12-01T07:45:00"],
    ["2012-02-29 00:00:00", "2012-02-29T00:00:00"],
    ["2000-02-29", "2000-02-29T00:00:00"],
  ])("%s → %s", (text, iso) => {
    expect(parseDate(text, f)).toBe(iso);
  });

  it.each([
    "2011-04-31",
    "2011-02-29",
    "1900-02-29",
    "2011-13-01",
    "2011-00-10",
    "2011-01-00",
    "2011-01-32",
    "2011-01-01 24:00:00",
    "2011-01-01 23:60:00",
    "2011-01-01 23:59:60",
    "2011-1-1",
    "2011-01-01 7:45:00", // hour needs two digits
    "2011-01-01 07:45:00.", // a point without fraction digits
    "2011-01-01 07:45:00+1",
    "20110101",
    "1/1/2011",
    "",
    "not a date",
  ])("%j → null", (text) => {
    expect(parseDate(text, f)).toBeNull();
  });
});

describe("parseDate: YYYYMMDD", () => {
  const f = "YYYYMMDD" as const;
  it.each([
    ["19970101", "1997-01-01T00:00:00"],
    ["20111209", "2011-12-09T00:00:00"],
    ["20120229", "2012-02-29T00:00:00"],
  ])("%s → %s", (text, iso) => {
    expect(parseDate(text, f)).toBe(iso);
  });

  it.each(["19971301", "19970230", "20110229", "19970100", "1997011", "199701011", "1997-01-01", "abcdefgh", ""])(
    "%j → null",
    (text) => {
      expect(parseDate(text, f)).toBeNull();
    },
  );
});

describe("detectDateFormat", () => {
  it("lists the four formats", () => {
    expect([...DATE_FORMATS]).toEqual(["M/D/YYYY H:MM", "D/M/YYYY H:MM", "YYYY-MM-DD HH:MM:SS", "YYYYMMDD"]);
  });

  it("defaults to month-first when slashed dates are ambiguous", () => {
    expect(detectDateFormat(["12/1/2010 8:26", "1/2/2011 10:00", "3/4/2011 9:15"])).toBe("M/D/YYYY H:MM");
    expect(detectDateFormat(["1/1/2011"])).toBe("M/D/YYYY H:MM");
  });

  it("picks month-first when a second component exceeds 12", () => {
    expect(detectDateFormat(["1/2/2011 10:00", "12/13/2011 10:00", "12/31/2011 9:00"])).toBe("M/D/YYYY H:MM");
  });

  it("picks day-first when a first component exceeds 12", () => {
    expect(detectDateFormat(["1/2/2011 10:00", "13/1/2011 10:00", "3/4/2011 9:15"])).toBe("D/M/YYYY H:MM");
    expect(detectDateFormat(["31/12/2011"])).toBe("D/M/YYYY H:MM");
  });

  it("recognises ISO dates in their variants", () => {
    expect(detectDateFormat(["2009-12-01 07:45:00", "2010-12-09 20:01:00"])).toBe("YYYY-MM-DD HH:MM:SS");
    expect(detectDateFormat(["2009-12-01T07:45:00Z", "2009-12-02"])).toBe("YYYY-MM-DD HH:MM:SS");
  });

  it("recognises YYYYMMDD", () => {
    expect(detectDateFormat(["19970101", "19970102", "19971231"])).toBe("YYYYMMDD");
  });

  it("ignores empty samples", () => {
    expect(detectDateFormat(["", "19970101", ""])).toBe("YYYYMMDD");
    expect(detectDateFormat(["", "12/1/2010 8:26"])).toBe("M/D/YYYY H:MM");
  });

  it("chooses the format that reads the most samples", () => {
    expect(detectDateFormat(["2009-12-01", "2009-12-02", "12/1/2010 8:26"])).toBe("YYYY-MM-DD HH:MM:SS");
    expect(detectDateFormat(["2009-12-01", "12/1/2010 8:26", "1/2/2011 10:00"])).toBe("M/D/YYYY H:MM");
    expect(detectDateFormat(["garbage", "19970101"])).toBe("YYYYMMDD");
  });

  it("returns null for garbage or no samples", () => {
    expect(detectDateFormat([])).toBeNull();
    expect(detectDateFormat([""])).toBeNull();
    expect(detectDateFormat(["", ""])).toBeNull();
    expect(detectDateFormat(["garbage", "not a date", "2/30/2011"])).toBeNull();
    expect(detectDateFormat(["13/13/2011"])).toBeNull();
  });
});

describe("normaliseDateFormat", () => {
  it.each([
    ["iso", "YYYY-MM-DD HH:MM:SS"],
    ["ISO", "YYYY-MM-DD HH:MM:SS"],
    ["  iso  ", "YYYY-MM-DD HH:MM:SS"],
    ["YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS"],
    ["yyyy-mm-dd", "YYYY-MM-DD HH:MM:SS"],
    ["YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD HH:MM:SS"],
    ["yyyy-mm-dd   hh:mm:ss", "YYYY-MM-DD HH:MM:SS"],
    ["YYYY-MM-DDTHH:MM:SS", "YYYY-MM-DD HH:MM:SS"],
    ["YYYYMMDD", "YYYYMMDD"],
    ["yyyymmdd", "YYYYMMDD"],
    ["M/D/YYYY", "M/D/YYYY H:MM"],
    ["m/d/yyyy", "M/D/YYYY H:MM"],
    ["M/D/YYYY H:MM", "M/D/YYYY H:MM"],
    ["MM/DD/YYYY", "M/D/YYYY H:MM"],
    ["MM/DD/YYYY HH:MM", "M/D/YYYY H:MM"],
    ["D/M/YYYY", "D/M/YYYY H:MM"],
    ["d/m/yyyy h:mm", "D/M/YYYY H:MM"],
    ["DD/MM/YYYY", "D/M/YYYY H:MM"],
    [" dd/mm/yyyy ", "D/M/YYYY H:MM"],
  ])("%j → %s", (text, format) => {
    expect(normaliseDateFormat(text)).toBe(format);
  });

  it.each(["", "   ", "us", "european", "YYYY/MM/DD", "DD-MM-YYYY", "YYMMDD", "Y/M/D"])("%j → null", (text) => {
    expect(normaliseDateFormat(text)).toBeNull();
  });

  it("every canonical format normalises to itself", () => {
    for (const f of DATE_FORMATS) expect(normaliseDateFormat(f)).toBe(f);
  });
});
