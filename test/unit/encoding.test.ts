import { describe, expect, it } from "vitest";
import { IncrementalDecoder } from "~/ingest/encoding";

/** Decodes the chunks in order and returns the text and the detected encoding. */
function decodeAll(chunks: (number[] | string | Buffer)[]) {
  const d = new IncrementalDecoder();
  let text = "";
  for (const c of chunks)
    text += d.decode(Buffer.isBuffer(c) ? c : typeof c === "string" ? Buffer.from(c, "latin1") : Buffer.from(c));
  text += d.end();
  return { text, encoding: d.encoding, hadBom: d.hadBom };
}

describe("IncrementalDecoder", () => {
  it("starts undecided", () => {
    expect(new IncrementalDecoder().encoding).toBeNull();
  });

  it("reads pure ASCII as utf-8", () => {
    const d = new IncrementalDecoder();
    expect(d.decode(Buffer.from("a,b,c\r\n1,2,3\r\n"))).toBe("a,b,c\r\n1,2,3\r\n");
    expect(d.encoding).toBeNull(); // not decided until a non-ASCII byte or the end
    expect(d.end()).toBe("");
    expect(d.encoding).toBe("utf-8");
    expect(d.hadBom).toBe(false);
  });

  it("reads empty input as utf-8", () => {
    expect(decodeAll([])).toEqual({ text: "", encoding: "utf-8", hadBom: false });
    expect(decodeAll([[]])).toEqual({ text: "", encoding: "utf-8", hadBom: false });
  });

  it("detects and strips a UTF-8 BOM", () => {
    const r = decodeAll([[0xef, 0xbb, 0xbf, ...Buffer.from("Invoice,Price\n")]]);
    expect(r).toEqual({ text: "Invoice,Price\n", encoding: "utf-8-bom", hadBom: true });
  });

  it("decodes UTF-8 after a BOM, also across chunks", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("a,£1 — ☃ 𝄞\n", "utf8")]);
    const one = decodeAll([bytes]);
    expect(one).toEqual({ text: "a,£1 — ☃ 𝄞\n", encoding: "utf-8-bom", hadBom: true });
    for (let cut = 3; cut < bytes.length; cut++) {
      expect(decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual(one);
    }
  });

  it("reads a file that is only a BOM", () => {
    expect(decodeAll([[0xef, 0xbb, 0xbf]])).toEqual({ text: "", encoding: "utf-8-bom", hadBom: true });
  });

  it("does not strip a BOM that is not at the start", () => {
    const r = decodeAll(["abc", [0xef, 0xbb, 0xbf, 0x64]]);
    expect(r.encoding).toBe("utf-8");
    expect(r.text).toBe("abc\ufeffd");
    expect(r.hadBom).toBe(false);
  });

  it.each(
    (
      [
        [0xa3, "£"],
        [0x80, "€"],
        [0x92, "’"],
        [0x91, "‘"],
        [0x93, "“"],
        [0x94, "”"],
        [0x96, "–"],
        [0x97, "—"],
        [0x85, "…"],
        [0x99, "™"],
        [0x9f, "Ÿ"],
        [0xe9, "é"],
        [0xff, "ÿ"],
      ] as [number, string][]
    ).map(([byte, char]) => [(byte as number).toString(16).toUpperCase(), byte, char] as const),
  )("reads byte 0x%s (%i) as Windows-1252 %s", (_hex, byte, char) => {
    const r = decodeAll([[0x61, byte, 0x62]]);
    expect(r).toEqual({ text: `a${char}b`, encoding: "windows-1252", hadBom: false });
  });

  it("maps the five unassigned Windows-1252 bytes to the C1 controls", () => {
    const r = decodeAll([[0x81, 0x8d, 0x8f, 0x90, 0x9d]]);
    expect(r.encoding).toBe("windows-1252");
    expect(r.text).toBe("\x81\x8d\x8f\x90\x9d");
  });

  it("decodes a whole Windows-1252 line", () => {
    const r = decodeAll([
      Buffer.from([...Buffer.from("Price,"), 0xa3, ...Buffer.from("1 OFF "), 0x80, 0x92, 0x0d, 0x0a]),
    ]);
    expect(r).toEqual({ text: "Price,£1 OFF €’\r\n", encoding: "windows-1252", hadBom: false });
  });

  it("reads a UTF-8 £ (C2 A3) as utf-8", () => {
    const r = decodeAll([[0x61, 0xc2, 0xa3, 0x62]]);
    expect(r).toEqual({ text: "a£b", encoding: "utf-8", hadBom: false });
  });

  it("decodes a UTF-8 character split across two chunks", () => {
    expect(
      decodeAll([
        [0x61, 0xc2],
        [0xa3, 0x62],
      ]),
    ).toEqual({ text: "a£b", encoding: "utf-8", hadBom: false });
    // € is E2 82 AC, split after one and after two bytes
    expect(
      decodeAll([
        [0x61, 0xe2],
        [0x82, 0xac],
      ]).text,
    ).toBe("a€");
    expect(decodeAll([[0x61, 0xe2, 0x82], [0xac]]).text).toBe("a€");
    // a 4-byte character, one byte per chunk
    const clef = [...Buffer.from("𝄞", "utf8")];
    expect(clef).toHaveLength(4);
    const r = decodeAll(clef.map((b) => [b]));
    expect(r).toEqual({ text: "𝄞", encoding: "utf-8", hadBom: false });
  });

  it("decodes UTF-8 text the same at every chunk boundary", () => {
    const bytes = Buffer.from("Description,Country\nCAFÉ £2 — “QUOTE”,España\n", "utf8");
    const expected = { text: bytes.toString("utf8"), encoding: "utf-8", hadBom: false };
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual(expected);
    }
  });

  it("switches to windows-1252 when an ASCII first chunk is followed by a Latin-1 chunk", () => {
    const d = new IncrementalDecoder();
    expect(d.decode(Buffer.from("InvoiceNo,Description\r\n"))).toBe("InvoiceNo,Description\r\n");
    expect(d.encoding).toBeNull();
    expect(d.decode(Buffer.from([0x31, 0x2c, 0xa3, 0x35, 0x0d, 0x0a]))).toBe("1,£5\r\n");
    expect(d.encoding).toBe("windows-1252");
    expect(d.decode(Buffer.from([0x80, 0x92]))).toBe("€’");
    expect(d.end()).toBe("");
    expect(d.encoding).toBe("windows-1252");
  });

  it("keeps the decision taken at the first non-ASCII chunk", () => {
    const d = new IncrementalDecoder();
    d.decode(Buffer.from([0xc2, 0xa3]));
    expect(d.encoding).toBe("utf-8");
    d.decode(Buffer.from("plain ascii"));
    expect(d.encoding).toBe("utf-8");
  });
});

describe("IncrementalDecoder: decisions across chunk boundaries", () => {
  const run = (chunks: number[][]) => {
    const d = new IncrementalDecoder();
    const text = chunks.map((c) => d.decode(Buffer.from(c))).join("") + d.end();
    return { text, encoding: d.encoding };
  };
  it("judges a first non-ASCII byte at a chunk's end with the next chunk (Windows-1252 é)", () => {
    expect(
      run([
        [0x43, 0x41, 0x46, 0xe9],
        [0x2c, 0x31, 0x0d, 0x0a],
      ]),
    ).toEqual({ text: "CAFé,1\r\n", encoding: "windows-1252" });
    expect(
      run([
        [0x61, 0xc2],
        [0x20, 0x62],
      ]),
    ).toEqual({ text: "aÂ b", encoding: "windows-1252" });
  });
  it("judges a UTF-8 character split at the first non-ASCII byte as UTF-8", () => {
    expect(
      run([
        [0x61, 0xc2],
        [0xa3, 0x62],
      ]),
    ).toEqual({ text: "a£b", encoding: "utf-8" });
  });
  it("finds a BOM split over the first chunks", () => {
    expect(run([[0xef], [0xbb, 0xbf, 0x61]])).toEqual({ text: "a", encoding: "utf-8-bom" });
  });
  it("reads an unfinished sequence at the end of the file as Windows-1252", () => {
    expect(run([[0x61, 0x62, 0xc2]])).toEqual({ text: "abÂ", encoding: "windows-1252" });
    expect(run([[0xef, 0xbb]])).toEqual({ text: "ï»", encoding: "windows-1252" });
  });
});
