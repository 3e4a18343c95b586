import { describe, expect, it } from "vitest";
import { FIELDS, FORMAT_LABELS, FormatError, parseMapArgs, resolveLayout } from "~/ingest/formats";

const ONLINE_RETAIL = [
  "InvoiceNo",
  "StockCode",
  "Description",
  "Quantity",
  "InvoiceDate",
  "UnitPrice",
  "CustomerID",
  "Country",
];
const ONLINE_RETAIL_II = [
  "Invoice",
  "StockCode",
  "Description",
  "Quantity",
  "InvoiceDate",
  "Price",
  "Customer ID",
  "Country",
];

function formatError(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    expect(e).toBeInstanceOf(Error);
    return e as FormatError;
  }
  throw new Error("expected a FormatError");
}

describe("resolveLayout: known layouts", () => {
  it("recognises the Online Retail header", () => {
    const layout = resolveLayout(ONLINE_RETAIL);
    expect(layout.format).toBe("online-retail");
    expect(layout.header).toBe(ONLINE_RETAIL);
    expect(layout.index).toEqual({
      invoice: 0,
      product: 1,
      description: 2,
      quantity: 3,
      date: 4,
      price: 5,
      customer: 6,
      country: 7,
    });
  });

  it("recognises the Online Retail II header", () => {
    const layout = resolveLayout(ONLINE_RETAIL_II);
    expect(layout.format).toBe("online-retail-ii");
    expect(layout.index).toEqual({
      invoice: 0,
      product: 1,
      description: 2,
      quantity: 3,
      date: 4,
      price: 5,
      customer: 6,
      country: 7,
    });
  });

  it("ignores case and surrounding whitespace", () => {
    expect(resolveLayout(ONLINE_RETAIL.map((h) => ` ${h.toLowerCase()} `)).format).toBe("online-retail");
    expect(resolveLayout(ONLINE_RETAIL.map((h) => h.toUpperCase())).format).toBe("online-retail");
    expect(resolveLayout(ONLINE_RETAIL_II.map((h) => `\t${h.toUpperCase()}\r`)).format).toBe("online-retail-ii");
    expect(
      resolveLayout([
        "invoice",
        "stockcode",
        "description",
        "quantity",
        "invoicedate",
        "price",
        "customer id",
        "country",
      ]).format,
    ).toBe("online-retail-ii");
  });

  it("accepts the columns in any order and indexes them where they are", () => {
    const shuffled = [
      "Country",
      "CustomerID",
      "UnitPrice",
      "InvoiceDate",
      "Quantity",
      "Description",
      "StockCode",
      "InvoiceNo",
    ];
    const layout = resolveLayout(shuffled);
    expect(layout.format).toBe("online-retail");
    expect(layout.index).toEqual({
      country: 0,
      customer: 1,
      price: 2,
      date: 3,
      quantity: 4,
      description: 5,
      product: 6,
      invoice: 7,
    });

    const ii = ["Customer ID", "Price", "Invoice", "Country", "InvoiceDate", "Description", "Quantity", "StockCode"];
    const layoutII = resolveLayout(ii);
    expect(layoutII.format).toBe("online-retail-ii");
    expect(layoutII.index).toEqual({
      customer: 0,
      price: 1,
      invoice: 2,
      country: 3,
      date: 4,
      description: 5,
      quantity: 6,
      product: 7,
    });
  });

  it("tolerates extra columns", () => {
    const layout = resolveLayout(["Row", ...ONLINE_RETAIL, "Notes"]);
    expect(layout.format).toBe("online-retail");
    expect(layout.index.invoice).toBe(1);
    expect(layout.index.country).toBe(8);
  });

  it("ignores an empty map", () => {
    expect(resolveLayout(ONLINE_RETAIL, {}).format).toBe("online-retail");
  });

  it("throws a FormatError naming the columns for an unknown header", () => {
    const e = formatError(() => resolveLayout(["Order", " Client ", "When", "Total"]));
    expect(e.message).toContain("Order, Client, When, Total");
    expect(e.message).toMatch(/Online Retail/);
    for (const f of FIELDS) expect(e.message).toContain(f);
  });

  it("throws when one column of a known layout is missing", () => {
    const e = formatError(() => resolveLayout(ONLINE_RETAIL.filter((h) => h !== "CustomerID")));
    expect(e.message).toContain("InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, Country");
    // a mixture of the two layouts is neither
    formatError(() =>
      resolveLayout([
        "InvoiceNo",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "Price",
        "CustomerID",
        "Country",
      ]),
    );
  });

  it("throws for an empty header", () => {
    formatError(() => resolveLayout([]));
  });

  it("has a label for each format", () => {
    expect(Object.keys(FORMAT_LABELS).sort()).toEqual(["mapped", "online-retail", "online-retail-ii"]);
  });
});

describe("resolveLayout: mapped columns", () => {
  const header = ["Order Id", "Client", "Ordered At", "Total", "Qty", "Unit", "Sku"];

  it("maps the given fields to header columns case-insensitively", () => {
    const layout = resolveLayout(header, {
      customer: "client",
      date: " ORDERED AT ",
      amount: "Total",
      invoice: "Order Id",
    });
    expect(layout).toEqual({ format: "mapped", index: { customer: 1, date: 2, amount: 3, invoice: 0 }, header });
  });

  it("accepts quantity + price instead of amount", () => {
    const layout = resolveLayout(header, {
      customer: "Client",
      date: "Ordered At",
      quantity: "Qty",
      price: "Unit",
      product: "Sku",
    });
    expect(layout.format).toBe("mapped");
    expect(layout.index).toEqual({ customer: 1, date: 2, quantity: 4, price: 5, product: 6 });
  });

  it("takes the mapping even when the header is a known layout", () => {
    const layout = resolveLayout(ONLINE_RETAIL, { customer: "CustomerID", date: "InvoiceDate", price: "UnitPrice" });
    expect(layout.format).toBe("mapped");
    expect(layout.index).toEqual({ customer: 6, date: 4, price: 5 });
  });

  it("skips fields mapped to an empty column", () => {
    const layout = resolveLayout(header, { customer: "Client", date: "Ordered At", amount: "Total", country: "" });
    expect(layout.index).toEqual({ customer: 1, date: 2, amount: 3 });
  });

  it("throws for an unknown field", () => {
    const e = formatError(() =>
      resolveLayout(header, { customer: "Client", date: "Ordered At", amount: "Total", colour: "Sku" } as never),
    );
    expect(e.message).toContain('Unknown field "colour"');
  });

  it("throws for a column not in the header", () => {
    const e = formatError(() => resolveLayout(header, { customer: "Customer", date: "Ordered At", amount: "Total" }));
    expect(e.message).toContain('Column "Customer" mapped to customer is not in the file\'s header');
    expect(e.message).toContain("Order Id, Client, Ordered At");
  });

  it.each([
    [{ date: "Ordered At", amount: "Total" }, ["customer"]],
    [{ customer: "Client", amount: "Total" }, ["date"]],
    [{ customer: "Client", date: "Ordered At" }, ["amount"]],
    [{ customer: "Client", date: "Ordered At", quantity: "Qty" }, ["amount"]],
    [{ invoice: "Order Id" }, ["customer", "date", "amount"]],
    [{ customer: "", date: "Ordered At", amount: "Total" }, ["customer"]],
  ])("throws naming the missing required fields for %j", (map, missing) => {
    const e = formatError(() => resolveLayout(header, map));
    expect(e.message).toContain("lacks required fields");
    for (const m of missing) expect(e.message).toContain(m);
    for (const f of ["customer", "date"].filter((f) => !missing.includes(f))) expect(e.message).not.toContain(f);
  });
});

describe("parseMapArgs", () => {
  it("parses field=column pairs", () => {
    expect(parseMapArgs(["customer=Customer Id"])).toEqual({ customer: "Customer Id" });
    expect(parseMapArgs(["customer=Client", "date=Ordered At", "amount=Total"])).toEqual({
      customer: "Client",
      date: "Ordered At",
      amount: "Total",
    });
  });

  it("trims the field and the column", () => {
    expect(parseMapArgs([" customer =  Customer Id  "])).toEqual({ customer: "Customer Id" });
  });

  it("splits at the first = only", () => {
    expect(parseMapArgs(["description=a=b"])).toEqual({ description: "a=b" });
  });

  it("allows an empty column and lets a later pair win", () => {
    expect(parseMapArgs(["country="])).toEqual({ country: "" });
    expect(parseMapArgs(["customer=A", "customer=B"])).toEqual({ customer: "B" });
  });

  it("returns an empty map for no pairs", () => {
    expect(parseMapArgs([])).toEqual({});
  });

  it.each([
    ["bad", "--map expects field=column"],
    ["=x", "--map expects field=column"],
    ["", "--map expects field=column"],
    ["foo=bar", 'Unknown field "foo"'],
    ["Customer=Client", 'Unknown field "Customer"'],
  ])("throws a FormatError for %j", (pair, message) => {
    const e = formatError(() => parseMapArgs(["customer=Client", pair]));
    expect(e.message).toContain(message);
  });

  it("feeds resolveLayout", () => {
    const header = ["Client", "When", "Total"];
    expect(resolveLayout(header, parseMapArgs(["customer=client", "date=when", "amount=total"])).index).toEqual({
      customer: 0,
      date: 1,
      amount: 2,
    });
  });
});
