// SQL lists, token by token: where a column sits in a select / returning / set / insert column list / create
// table body, and how to cut it out. A regular expression cannot tell which parenthesis or comma belongs to
// which list; these helpers count depth instead (parentheses and case … end).

const WORD_BOUNDARY_LEFT = new Set(['select', 'distinct', 'returning', 'set', 'where', 'from', 'on', 'and', 'or', 'by', 'values', 'when', 'then', 'else', 'join', 'having', 'table', 'column', 'add', 'as', 'into', 'update', 'key', 'index', 'check', 'not', 'in']);
const WORD_STOP_RIGHT = new Set(['from', 'where', 'returning', 'values', 'order', 'group', 'limit', 'offset', 'union', 'having', 'on', 'inner', 'left', 'right', 'join', 'select', 'into']);

/** Tokens: `id` (backquoted identifier), `str`, `ws`, `w` (word), `(`, `)`, `,`, `o` (anything else). */
export function tokenize(s) {
  const toks = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) { toks.push({ t: 'o', v: s.slice(i) }); break; }
      toks.push({ t: 'id', v: s.slice(i, j + 1) });
      i = j + 1;
    } else if (c === "'") {
      let j = i + 1;
      for (; j < s.length; j++) {
        if (s[j] === '\\') { j++; continue; }
        if (s[j] === "'") { if (s[j + 1] === "'") { j++; continue; } break; }
      }
      toks.push({ t: 'str', v: s.slice(i, j + 1) });
      i = j + 1;
    } else if (/\s/.test(c)) {
      let j = i;
      while (j < s.length && /\s/.test(s[j])) j++;
      toks.push({ t: 'ws', v: s.slice(i, j) });
      i = j;
    } else if (/[A-Za-z0-9_$.]/.test(c)) {
      let j = i;
      while (j < s.length && /[A-Za-z0-9_$]/.test(s[j])) j++;
      if (j === i) j = i + 1;
      toks.push({ t: 'w', v: s.slice(i, j) });
      i = j;
    } else {
      toks.push({ t: c === '(' || c === ')' || c === ',' ? c : 'o', v: c });
      i++;
    }
  }
  return toks;
}
export const joinToks = toks => toks.map(t => t.v).join('');
export const lw = tok => (tok && tok.t === 'w' ? tok.v.toLowerCase() : null);
// the nearest token before / after i that is not whitespace
export const prevSig = (toks, i) => { for (let j = i - 1; j >= 0; j--) if (toks[j].t !== 'ws') return j; return -1; };
export const nextSig = (toks, i) => { for (let j = i + 1; j < toks.length; j++) if (toks[j].t !== 'ws') return j; return toks.length; };

/** The list item around token i: [start, end) and the boundary tokens; depth counts parens and case…end. */
export function itemAround(toks, i) {
  let depth = 0;
  let L = -1;
  for (let j = i - 1; j >= 0; j--) {
    const k = toks[j];
    if (k.t === ')' || lw(k) === 'end') depth++;
    else if (k.t === '(' || lw(k) === 'case') { if (depth === 0) { L = j; break; } depth--; }
    else if (depth === 0 && (k.t === ',' || WORD_BOUNDARY_LEFT.has(lw(k)))) {
      // `x`.`created_at` as `alias`: "as" belongs to the item
      if (lw(k) === 'as' || lw(k) === 'not' || lw(k) === 'in' || lw(k) === 'check' || lw(k) === 'key') continue;
      L = j;
      break;
    }
  }
  depth = 0;
  let R = toks.length;
  for (let j = i + 1; j < toks.length; j++) {
    const k = toks[j];
    if (k.t === '(' || lw(k) === 'case') depth++;
    else if (k.t === ')' || lw(k) === 'end') { if (depth === 0) { R = j; break; } depth--; }
    else if (depth === 0 && (k.t === ',' || WORD_STOP_RIGHT.has(lw(k)) || k.v === ';')) { R = j; break; }
    else if (depth === 0 && lw(k) === 'do' ) { R = j; break; }
  }
  return { L, R };
}

/** Start of the list that item boundary L belongs to: the keyword or "(" before its first item. */
export function listStart(toks, L) {
  let j = L;
  while (j >= 0 && toks[j].t === ',') {
    let depth = 0;
    let k = j - 1;
    for (; k >= 0; k--) {
      const t = toks[k];
      if (t.t === ')' || lw(t) === 'end') depth++;
      else if (t.t === '(' || lw(t) === 'case') { if (depth === 0) break; depth--; }
      else if (depth === 0 && (t.t === ',' || (WORD_BOUNDARY_LEFT.has(lw(t)) && !['as', 'not', 'in', 'check', 'key'].includes(lw(t))))) break;
    }
    j = k;
  }
  return j;
}

/** The index of the item at boundary L within its list (0-based). */
export function itemIndex(toks, start, L) {
  let n = 0;
  let depth = 0;
  for (let j = start + 1; j <= L; j++) {
    const t = toks[j];
    if (t.t === '(' || lw(t) === 'case') depth++;
    else if (t.t === ')' || lw(t) === 'end') depth--;
    else if (depth === 0 && t.t === ',') n++;
  }
  return n;
}

/** Kind of list whose start token is toks[s]: select | returning | set | insertCols | tableDefs | null. */
export function listKind(toks, s) {
  const t = toks[s];
  if (!t) return null;
  const w = lw(t);
  if (w === 'select' || w === 'distinct') return 'select';
  if (w === 'returning') return 'returning';
  if (w === 'set') return 'set';
  if (t.t === '(') {
    const a = prevSig(toks, s);
    if (a < 0 || toks[a].t !== 'id') return null;
    // `schema`.`table`
    let b = prevSig(toks, a);
    if (b >= 0 && toks[b].v === '.') { b = prevSig(toks, prevSig(toks, b) + 0); b = prevSig(toks, b + 1); }
    let kw = prevSig(toks, a);
    while (kw >= 0 && (toks[kw].v === '.' || toks[kw].t === 'id')) kw = prevSig(toks, kw);
    const w2 = lw(toks[kw]);
    if (w2 === 'into') return 'insertCols';
    if (w2 === 'table') return 'tableDefs';
    if (w2 === 'exists') {
      const t2 = prevSig(toks, prevSig(toks, prevSig(toks, kw)));
      if (lw(toks[t2]) === 'table') return 'tableDefs';
    }
  }
  return null;
}

/** Tuples after an insert column list closing at `close`: [[open, close], …] of each "( … )" after VALUES. */
export function valueTuples(toks, close) {
  let j = nextSig(toks, close);
  if (lw(toks[j]) !== 'values') return null;
  const tuples = [];
  j = nextSig(toks, j);
  while (j < toks.length && toks[j].t === '(') {
    let depth = 0;
    let k = j;
    for (; k < toks.length; k++) {
      if (toks[k].t === '(') depth++;
      else if (toks[k].t === ')') { depth--; if (depth === 0) break; }
    }
    if (k >= toks.length) return null;
    tuples.push([j, k]);
    j = nextSig(toks, k);
    if (toks[j]?.t !== ',') break;
    j = nextSig(toks, j);
  }
  return tuples;
}

/** Splits the items of the parenthesised list [open, close] into [start, end) token ranges. */
export function tupleItems(toks, open, close) {
  const items = [];
  let depth = 0;
  let s = open + 1;
  for (let j = open + 1; j < close; j++) {
    const t = toks[j];
    if (t.t === '(' || lw(t) === 'case') depth++;
    else if (t.t === ')' || lw(t) === 'end') depth--;
    else if (depth === 0 && t.t === ',') { items.push([s, j]); s = j + 1; }
  }
  items.push([s, close]);
  return items;
}

/** Removes token range [a, b) as one list item with one adjacent comma; returns the new token array. */
export function removeItem(toks, a, b) {
  // item = [a, b); prefer the comma before it
  let s = a;
  while (s > 0 && toks[s - 1].t === 'ws') s--;
  if (s > 0 && toks[s - 1].t === ',') return [...toks.slice(0, s - 1), ...toks.slice(b)];
  let e = b;
  if (toks[e]?.t === ',') {
    e++;
    while (e < toks.length && toks[e].t === 'ws') e++;
    return [...toks.slice(0, a), ...toks.slice(e)];
  }
  return [...toks.slice(0, a), ...toks.slice(b)];
}

/** [a, b) without the whitespace tokens at either end. */
export function trimItem(toks, a, b) {
  while (a < b && toks[a].t === 'ws') a++;
  while (b > a && toks[b - 1].t === 'ws') b--;
  return [a, b];
}
