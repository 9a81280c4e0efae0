// Normaliser of one side of a diff (its lines): removes every timestamp from objects, generated code and the
// SQL in them, and returns what it removed ("frags"), so that the caller can check that a timestamp the
// expected side already had is still there unchanged.
//
// Objects: pretty-format / inspect / JSON lines `createdAt: <scalar>`, array items "createdAt", inline
// `"createdAt":<scalar>` / `createdAt: <scalar>` inside one-line JSON or inspect output, generated code
// statements and blocks that mention the property (hydrator / result mapper / comparator snapshots).
// SQL in a line goes to the SQL normaliser.
import { EMPTY_INSERT, normSqlLine } from './sql-normaliser.mjs';
import { squash } from './text.mjs';

const TS_ANY = /\b(createdAt|updatedAt|created_at|updated_at)\b/;

const SCALAR = String.raw`(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?n?|null|undefined|true|false|\d{4}-\d\d-\d\dT[\d:.]+Z|Invalid Date|Any<\w+>|\[Getter\]|\[Getter\/Setter\]|[\w.]+\(\)|Date<[^>]*>)`;
const KEY = String.raw`(?:createdAt|updatedAt|created_at|updated_at)`;
const LINE_PROP = new RegExp(String.raw`^\s*(["']?)(${KEY})\1\s*:\s*(${SCALAR}|[\w$<>]*\s*[{[(])\s*,?\s*$`);
const LINE_ITEM = new RegExp(String.raw`^\s*(["'])(${KEY})\1\s*,?\s*$`);
const INLINE_JSON_AFTER = new RegExp(String.raw`,\s*(\\?")(${KEY})\1\s*:\s*(${SCALAR.replace('"(?:[^"\\\\]|\\\\.)*"', '\\\\?"(?:[^"\\\\]|\\\\[^"])*?\\\\?"')})`, 'g');
const INLINE_JSON_BEFORE = new RegExp(String.raw`(\\?")(${KEY})\1\s*:\s*(${SCALAR.replace('"(?:[^"\\\\]|\\\\.)*"', '\\\\?"(?:[^"\\\\]|\\\\[^"])*?\\\\?"')})\s*,\s*`, 'g');
const INLINE_INSPECT_AFTER = new RegExp(String.raw`,\s*(${KEY})\s*:\s*(${SCALAR})(?=\s*[,}\]])`, 'g');
const INLINE_INSPECT_BEFORE = new RegExp(String.raw`(?<=[{(]\s*)(${KEY})\s*:\s*(${SCALAR})\s*,\s*`, 'g');

/** Open minus closed brackets of a line, outside string literals. */
const braceBalance = s => {
  let n = 0;
  for (const c of s.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, '')) {
    if (c === '{' || c === '[' || c === '(') n++;
    else if (c === '}' || c === ']' || c === ')') n--;
  }
  return n;
};
// a line of generated code (hydrator, result mapper, comparator snapshot) that reads or writes the property
const isCodeLine = s => /(\bdata|\bentity|\bret|\bresult|\bmapped|\bsnapshot|\bcomparator|\blast|\bnext|\bdiff|\bclone|\bentityKey)\b[\w.[\]'"]*\.?\b(createdAt|updatedAt|created_at|updated_at)\b|typeof [\w.]*\b(createdAt|updatedAt|created_at|updated_at)\b/.test(s);

/**
 * Multi-line blocks (pretty-format objects/arrays, generated code) whose lines all mention a timestamp
 * (or are only brackets): `[ "createdAt", "created_at" ]`, `{ "compositeKey": "result.created_at",
 * "fieldNames": [ "created_at" ] }`. Inner blocks first, until nothing changes.
 */
function dropTsBlocks(lines, frags) {
  const structural = l => /^[\s\][{}(),;]*$/.test(l) || /^\s*}\s*else\s*{\s*$/.test(l);
  for (let changed = true; changed; ) {
    changed = false;
    const out = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const bal = braceBalance(line);
      if (bal > 0 && /[{[(]\s*$/.test(line) && !/^\s*[}\])]/.test(line)) {
        let n = bal;
        let j = i + 1;
        for (; j < lines.length; j++) { n += braceBalance(lines[j]); if (n <= 0) break; }
        if (j < lines.length && n === 0 && structural(lines[j])) {
          const inner = lines.slice(i + 1, j);
          if (inner.some(isTsLeaf) && inner.every(l => isTsLeaf(l) || structural(l))) {
            frags.push(squash(lines.slice(i, j + 1).join(' ')).replace(/,$/, ''));
            i = j;
            changed = true;
            continue;
          }
        }
      }
      out.push(line);
    }
    lines = out;
  }
  return lines;
}

/** A line that is only a timestamp: `createdAt: …`, `"created_at",`, `"compositeKey": "result.created_at",`. */
const TS_PATH = String.raw`(["'])[\w.$]*\b(?:createdAt|updatedAt|created_at|updated_at)\1`;
const isTsLeaf = l =>
  (LINE_PROP.test(l) && !/[{[(]\s*$/.test(l)) ||
  LINE_ITEM.test(l) ||
  new RegExp(String.raw`^\s*(["']?)[\w$]+\1\s*:\s*${TS_PATH},?\s*$`).test(l) ||
  new RegExp(String.raw`^\s*${TS_PATH},?\s*$`).test(l);

/** pretty-format's class names (`User {`, `Collection<Book> {`), which toEqual / toMatchObject do not compare. */
export const stripClass = l => l.replace(/^(\s*(?:"[^"]*": |'[^']*': |[\w$]+: )?)(?:[A-Z][\w$]*(?:<[^>]*>)?) (?=[{[])/, '$1');

/** Normalises one side (array of lines): returns { lines, frags }. */
export function normalise(lines) {
  const frags = [];
  const out = [];
  lines = dropTsBlocks(lines, frags);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    line = line.replace(EMPTY_INSERT, (m, t) => `insert into ${t} <empty row>`);
    if (!TS_ANY.test(line)) { out.push(line); continue; }
    // generated code: a statement or a block that mentions the property
    if (isCodeLine(line) && !/^\s*"/.test(line)) {
      const bal = braceBalance(line);
      if (bal > 0 && /[{(\[]\s*$/.test(line) && !/^\s*[}\])]/.test(line)) {
        let n = bal;
        const block = [line.trim()];
        let j = i + 1;
        for (; j < lines.length && n > 0; j++) { n += braceBalance(lines[j]); block.push(lines[j].trim()); }
        // a chain `if (…createdAt…) {…} else if (…createdAt…) {…}` ends with the block's "}"; every line of it must be about the timestamp
        const codeOk = l => TS_ANY.test(l) || /^[\s{}()\[\];,]*$/.test(l) || /^\s*}\s*else\s*{\s*$/.test(l);
        if (n <= 0 && block.every(codeOk)) {
          frags.push(block.join(' '));
          i = j - 1;
          continue;
        }
      } else if (bal === 0 && /;\s*$/.test(line)) {
        frags.push(line.trim());
        continue;
      }
    }
    // object properties / array items on their own line
    let m = LINE_PROP.exec(line);
    if (m && !/[{[(]\s*$/.test(m[3])) { frags.push(`${m[2]}: ${m[3].replace(/,$/, '')}`); continue; }
    if (m && /[{[(]\s*$/.test(m[3])) {
      let n = braceBalance(line);
      const block = [line.trim()];
      let j = i + 1;
      for (; j < lines.length && n > 0; j++) { n += braceBalance(lines[j]); block.push(lines[j].trim()); }
      if (n <= 0) { frags.push(block.join(' ').replace(/,$/, '')); i = j - 1; continue; }
    }
    m = LINE_ITEM.exec(line);
    if (m) { frags.push(`item ${m[2]}`); continue; }
    // SQL in the line
    if (/`(created_at|updated_at)`/.test(line)) {
      const r = normSqlLine(line);
      frags.push(...r.frags);
      line = r.line;
    }
    // inline JSON / inspect output
    for (const re of [INLINE_JSON_AFTER, INLINE_JSON_BEFORE, INLINE_INSPECT_AFTER, INLINE_INSPECT_BEFORE]) {
      line = line.replace(re, (...g) => {
        const key = g.find(x => typeof x === 'string' && /^(createdAt|updatedAt|created_at|updated_at)$/.test(x));
        const val = g[g.indexOf(key) + 1];
        frags.push(`${key}: ${String(val).replace(/\\"/g, '"')}`);
        return '';
      });
    }
    if (line.trim() === '' && lines[i].trim() !== '') continue; // the line held only timestamps
    out.push(line);
  }
  return { lines: out, frags };
}
