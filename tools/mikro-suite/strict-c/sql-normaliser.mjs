// SQL normaliser, one line at a time and token based: removes the timestamp columns from SQL and DDL, so
// that a query of mode c compares equal to mode a's when the timestamps are its only difference.
//
// Removes a timestamp column (`created_at`, `updated_at`, `x`.`created_at` as `x__created_at`,
// `created_at` = <expr>, `created_at` datetime not null …) from select lists, returning lists, update/upsert
// set lists, create table column definitions and insert column lists together with the value at that
// position in every values tuple; removes `alter table … add column `created_at` …` statements.
// Timestamp columns anywhere else (where, order by, join conditions, indexes, drop column) are kept, so
// they make the sides differ.
import { itemAround, itemIndex, joinToks, listKind, listStart, lw, nextSig, prevSig, removeItem, tokenize, trimItem, tupleItems, valueTuples } from './sql-lists.mjs';
import { squash } from './text.mjs';

const TS_COLS = ['created_at', 'updated_at'];
const isTsIdent = tok => tok.t === 'id' && TS_COLS.includes(tok.v.slice(1, -1));

/** Normalises the SQL in one line: returns { line, frags } with the removed timestamp items. */
export function normSqlLine(line) {
  const frags = [];
  // alter table … add column `created_at` …; (whole statement)
  line = line.replace(/alter table (`[^`]+`\.)?`[^`]+` add (column )?`(created_at|updated_at)`[^;]*(;|$)\s*/gi, m => {
    frags.push(squash(m.replace(/;?\s*$/, '')));
    return '';
  });
  let toks = tokenize(line);
  const kept = new Set();
  for (let guard = 0; guard < 50; guard++) {
    const i = toks.findIndex((t, j) => isTsIdent(t) && !kept.has(t));
    if (i < 0) break;
    const { L, R } = itemAround(toks, i);
    const start = L >= 0 && toks[L].t === ',' ? listStart(toks, L) : L;
    const kind = listKind(toks, start);
    const [a, b] = trimItem(toks, L + 1, R);
    const item = joinToks(toks.slice(a, b));
    // what the item may look like in each list
    const col = toks[i].v;
    const qual = String.raw`(?:\`[^\`]+\`\.|excluded\.)?`;
    const ok =
      (kind === 'select' && new RegExp(`^${qual}${col}(?: as \`[^\`]+\`)?$`).test(item)) ||
      (kind === 'returning' && new RegExp(`^${qual}${col}$`).test(item)) ||
      (kind === 'set' && new RegExp(`^${qual}${col} = `).test(item) && !/\b(select|from)\b/i.test(item)) ||
      (kind === 'insertCols' && item === col) ||
      (kind === 'tableDefs' && item.startsWith(col + ' '));
    if (!ok) {
      kept.add(toks[i]);
      continue;
    }
    // the left neighbour, so that a column that moved does not pass
    let neighbour = '';
    if (L >= 0 && toks[L].t === ',') {
      const pl = (() => { const r = itemAround(toks, prevSig(toks, L)); const [x, y] = trimItem(toks, r.L + 1, r.R); return joinToks(toks.slice(x, y)); })();
      neighbour = pl;
    } else neighbour = '^';
    if (kind === 'insertCols') {
      // the closing paren of the column list, then remove this position from every values tuple
      let close = R;
      while (close < toks.length && toks[close].t !== ')') {
        const r = itemAround(toks, close + 1);
        close = r.R;
      }
      const index = itemIndex(toks, start, L >= 0 && toks[L].t === ',' ? L : start);
      const tuples = valueTuples(toks, close);
      if (!tuples) {
        if (lw(toks[nextSig(toks, close)]) !== undefined && nextSig(toks, close) < toks.length && lw(toks[nextSig(toks, close)]) !== 'values') {
          // insert … select: cannot line the values up
          kept.add(toks[i]);
          continue;
        }
        // the values are on another line (or cut): keep the column only
      }
      const values = [];
      let out = toks;
      if (tuples) {
        // from the last tuple backwards so that indexes stay valid
        for (const [o, c] of [...tuples].reverse()) {
          const items = tupleItems(out, o, c);
          if (items.length <= index) { values.length = 0; break; }
          const [va, vb] = trimItem(out, ...items[index]);
          values.unshift(joinToks(out.slice(va, vb)));
          out = removeItem(out, va, vb);
        }
      }
      toks = removeItem(out, a, b);
      frags.push(`${neighbour} | ${item}${values.length ? ' = ' + values.join(' / ') : ''}`);
      continue;
    }
    frags.push(`${neighbour} | ${item}`);
    toks = removeItem(toks, a, b);
  }
  line = joinToks(toks);
  if (frags.length) line = canonSql(line, frags);
  return { line, frags };
}

/**
 * Forms MikroORM picks by what is left to write, after the timestamp items are gone: an insert whose only
 * values were timestamps is the same row as MikroORM's empty insert (`insert into t (id) select null as id`,
 * `default values`), and an upsert whose only update was `updated_at` is the `do nothing` of mode a.
 */
function canonSql(line, frags) {
  line = line.replace(/insert into (`[^`]+`) \(\s*\) values \(\s*\)(?:, \(\s*\))*/g, (m, t) => `insert into ${t} <empty row>`);
  line = line.replace(/on conflict (\([^)]*\)|on constraint `[^`]+`)? ?do update set\s*(?=returning\b|$|")/g, (m, c) => {
    frags.push('upsert: do update set updated_at (mode a: do nothing)');
    return `on conflict ${c ? c + ' ' : ''}do nothing `;
  }).replace(/do nothing (?=["]|$)/, 'do nothing');
  return line;
}
/** The other forms of an empty row (mode a writes them as they are), which normalise() rewrites on every line. */
export const EMPTY_INSERT = /insert into (`[^`]+`) (?:\((`[^`]+`)\) select null as \2(?: union all select null as \2)*|default values)/g;
