// Identifiers of the user's warehouse (issue 17) are written into SQL text, never as values: each one is quoted here,
// once, so that a table or column name can never end a statement (PostgreSQL docs §4.1.1, quoted identifiers).

/** "a""b" for a"b: a name as PostgreSQL reads it, whatever characters it holds. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes("\0")) throw new Error("an identifier cannot be empty or hold a NUL byte");
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The parts of a table name as the user typed it: `schema.table`, `table`, or with double-quoted parts
 * (`"My Schema"."Orders 2024"`) for names holding dots, spaces or capitals. Unquoted parts are folded to lower case,
 * as PostgreSQL does. Null when the text is not a name.
 */
export function parseTableName(text: string): string[] | null {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    if (s[i] === '"') {
      let name = "";
      i++;
      for (;;) {
        if (i >= s.length) return null;
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            name += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += s[i++];
      }
      if (name === "") return null;
      parts.push(name);
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(s.slice(i));
      if (!m) return null;
      parts.push(m[0].toLowerCase());
      i += m[0].length;
    }
    if (i === s.length) break;
    if (s[i] !== ".") return null;
    i++;
    if (i === s.length) return null;
  }
  return parts.length >= 1 && parts.length <= 3 ? parts : null;
}

/** A table name quoted for SQL text; throws on text that is not a name. */
export function quoteTable(text: string): string {
  const parts = parseTableName(text);
  if (!parts) throw new Error(`"${text}" is not a table name (write schema.table, double-quoting parts as needed)`);
  return parts.map(quoteIdent).join(".");
}
