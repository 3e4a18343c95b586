import { Random } from "./random";

// The demo shop: a UK online gift retailer like the one in the Online Retail data (wholesale-leaning, ~35 countries).

/** Countries and their share of customers (UK-heavy, as the Online Retail data: ~90% UK). */
export const COUNTRIES: [string, number][] = [
  ["United Kingdom", 900],
  ["Germany", 21],
  ["France", 20],
  ["Spain", 7],
  ["Belgium", 6],
  ["Switzerland", 5],
  ["Portugal", 5],
  ["Italy", 4],
  ["Finland", 3],
  ["Austria", 3],
  ["Norway", 3],
  ["Netherlands", 2.5],
  ["Australia", 2],
  ["Denmark", 2],
  ["Channel Islands", 2],
  ["Cyprus", 2],
  ["Sweden", 2],
  ["Japan", 2],
  ["Poland", 1.5],
  ["USA", 1.2],
  ["Israel", 1],
  ["Unspecified", 1],
  ["Greece", 1],
  ["EIRE", 1],
  ["Canada", 1],
  ["Malta", 0.7],
  ["United Arab Emirates", 0.5],
  ["Iceland", 0.5],
  ["Lithuania", 0.5],
  ["Czech Republic", 0.4],
  ["Lebanon", 0.4],
  ["RSA", 0.4],
  ["Saudi Arabia", 0.3],
  ["Singapore", 0.3],
  ["Brazil", 0.3],
  ["Bahrain", 0.3],
];

const COLOURS = [
  "RED",
  "PINK",
  "BLUE",
  "GREEN",
  "IVORY",
  "WHITE",
  "BLACK",
  "CREAM",
  "PASTEL",
  "VINTAGE",
  "SILVER",
  "GOLD",
  "RETRO",
  "ANTIQUE",
  "POLKADOT",
];
const THEMES = [
  "HEART",
  "SPOTTY",
  "UNION JACK",
  "PAISLEY",
  "REGENCY",
  "ROSES",
  "BIRD",
  "CHRISTMAS",
  "WOODLAND",
  "DOLLY GIRL",
  "SPACEBOY",
  "PANTRY",
  "HANGING",
  "FLORAL",
  "STAR",
  "CIRCUS",
  "BAROQUE",
  "SKULL",
];
const ITEMS = [
  "T-LIGHT HOLDER",
  "LUNCH BAG",
  "JUMBO BAG",
  "CAKE CASES",
  "NAPKINS",
  "MUG",
  "TEACUP AND SAUCER",
  "CANDLE",
  "ALARM CLOCK",
  "DOORMAT",
  "CUSHION COVER",
  "NOTEBOOK",
  "WRAP",
  "GIFT BAG",
  "BUNTING",
  "LANTERN",
  "PHOTO FRAME",
  "TIN",
  "PLATE",
  "HOT WATER BOTTLE",
  "CHARM BRACELET",
  "PEG BAG",
  "COAT HANGER",
  "BOTTLE OPENER",
  "PURSE",
  "STORAGE JAR",
  "RIBBONS",
  "PAPER CHAIN KIT",
  "PLASTERS IN TIN",
  "WALL CLOCK",
  "SIGN",
  "DRAWER KNOB",
  "BAKING SET",
  "CHOPSTICKS",
  "PARASOL",
];
const SETS = [
  "",
  "",
  "",
  "SET OF 3 ",
  "SET OF 6 ",
  "PACK OF 12 ",
  "PACK OF 72 ",
  "SET/4 ",
  "SMALL ",
  "LARGE ",
  "JUMBO ",
];

export type Product = { code: string; description: string; price: number /* thousandths */ };

/** A catalogue of `count` products with stock codes, descriptions (some with commas, quotes and £) and prices. */
export function makeCatalog(count: number, rng: Random): Product[] {
  const products: Product[] = [];
  const used = new Set<string>();
  let code = 10002;
  while (products.length < count) {
    code += rng.int(1, 30);
    const suffix = rng.chance(0.35) ? String.fromCharCode(65 + rng.int(0, 5)) : "";
    const stock = `${code}${suffix}`;
    let description = `${rng.pick(SETS)}${rng.pick(COLOURS)} ${rng.pick(THEMES)} ${rng.pick(ITEMS)}`;
    const quirk = rng.next();
    if (quirk < 0.02)
      description = `${rng.pick(ITEMS)}, ${rng.pick(THEMES)} DESIGN`; // needs quoting
    else if (quirk < 0.03)
      description = `${rng.pick(COLOURS)} "${rng.pick(THEMES)}" ${rng.pick(ITEMS)}`; // quotes inside
    else if (quirk < 0.035)
      description = `${rng.pick(ITEMS)} £1 OFF`; // the £ of ISO-8859-1
    else if (quirk < 0.045) description = ""; // descriptions may be empty
    if (used.has(description) && description !== "") description = `${description} ${products.length % 7}`;
    used.add(description);
    // heavy-tailed prices around £2.10, a few with thousandths as in the real file
    let price = Math.round(rng.logNormal(2.1, 0.8) * 100) * 10;
    if (rng.chance(0.01)) price = rng.int(1, 999) + 1000 * rng.int(0, 2);
    products.push({ code: stock, description, price: Math.max(price, 1) });
  }
  return products;
}

/** Non-merchandise lines (flagged by the importer, rule 7). */
export const POSTAGE: Product = { code: "POST", description: "POSTAGE", price: 18000 };
export const DOTCOM: Product = { code: "DOT", description: "DOTCOM POSTAGE", price: 0 };
export const MANUAL: Product = { code: "M", description: "Manual", price: 0 };
export const BANK: Product = { code: "BANK CHARGES", description: "Bank Charges", price: 15000 };
