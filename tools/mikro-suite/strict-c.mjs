#!/usr/bin/env node
// Strict analysis of the mode-c regressions (pluginSystem({ global: ['timestamp'] })): a test that passes in
// mode a and not in mode c is "expected" only when its failure can be shown to come from the timestamp
// columns alone.
//
//   node strict-c.mjs [results/c.json] [--base results/a.json] [--log results/c.log] [--extra-logs DIR]
//                     [--isolate] [--json out.json] [--show <test name part>] [-v]
//
//   --isolate  reruns every unexplained failed test alone (`SUITE_MODE=c CI=true npx vitest run <file> -t
//              '^<name>$'`, one at a time, against the package installed in the runner now) and caches the
//              result in <extra-logs>/isolated/; later runs without --isolate reuse the cache. A test that
//              passes alone is "consequential"; one that fails alone is classified by that failure.
//   --show     prints both sides of the diff as the normaliser left them, and the removed timestamp items
//   -v         lists every test of every class
//
// The vitest JSON report has no diffs (only the stack), so the diffs are read from the run's log, which the
// dot reporter ends with every failure and its diff: results/<name>.log next to the JSON (or --log). Logs of
// single-file reruns (`SUITE_MODE=c npx vitest run <file> > DIR/<anything>.log 2>&1`) in --extra-logs
// (default ../strict-scratch/logs) are used for tests whose failure the main log lacks.
//
// Classes:
//   expected          the diff (snapshot, toEqual, toMatchObject, toMatch/toBe of strings) is identical on both
//                     sides once every timestamp column/field is removed by the normaliser below, and every
//                     timestamp the expected side already had (an entity's own createdAt) is in the received
//                     side unchanged (same definition/value, same neighbour)
//   expected-bypass   NOT NULL on created_at/updated_at from a write that bypasses entity hooks (raw SQL,
//                     kysely, QueryBuilder insert, driver.nativeInsert, pivot rows MikroORM writes itself);
//                     a database default removes them
//   expected-external-schema  "no such column created_at": the table was created by raw SQL in the test
//   consequential     fails in the full run, passes when run alone: an earlier failure of its file left state
//                     behind (identity map not cleared, rows, files)
//   unexplained       anything else, with the reason and a hint of what changed (known patterns)
//
// Normaliser (applied to both sides of a diff, hunk by hunk):
//   SQL, token-based, per line: removes a timestamp column (`created_at`, `updated_at`, `x`.`created_at` as
//   `x__created_at`, `created_at` = <expr>, `created_at` datetime not null …) from select lists, returning
//   lists, update/upsert set lists, create table column definitions and insert column lists together with the
//   value at that position in every values tuple; removes `alter table … add column `created_at` …` statements.
//   Timestamp columns anywhere else (where, order by, join conditions, indexes, drop column) are kept, so
//   they make the sides differ.
//   Objects: pretty-format / inspect / JSON lines `createdAt: <scalar>`, array items "createdAt", inline
//   `"createdAt":<scalar>` / `createdAt: <scalar>` inside one-line JSON or inspect output, generated code
//   statements and blocks that mention the property (hydrator / result mapper / comparator snapshots).
//   Generated-code temp indexes (`name_20` vs `name_24`) that shift by the hydrated timestamp scalars of
//   other entities are accepted when the received index is larger by an even number (noted in the output).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const verbose = args.includes('-v');
const isolate = args.includes('--isolate'); // rerun each unexplained failed test alone (cached in <extra-logs>/isolated)
const show = opt('--show', null); // a test name substring: print what the normaliser made of both sides
const jsonOut = opt('--json', null);
const basePath = path.resolve(opt('--base', path.join(here, 'results/a.json')));
const logArg = opt('--log', null);
const extraLogs = path.resolve(opt('--extra-logs', path.join(here, '../strict-scratch/logs')));
const cPath = path.resolve(args.find(a => !a.startsWith('-')) ?? path.join(here, 'results/c.json'));
const logPath = logArg ? path.resolve(logArg) : cPath.replace(/\.json$/, '.log');

const ansi = s => String(s ?? '').replace(/\x1b\[[0-9;]*m/g, '');
const TS_PROPS = ['createdAt', 'updatedAt'];
const TS_COLS = ['created_at', 'updated_at'];
const TS_ANY = /\b(createdAt|updatedAt|created_at|updated_at)\b/;
const TS_ANY_G = /\b(createdAt|updatedAt|created_at|updated_at)\b/g;

// ---------------------------------------------------------------------------------------------------------
// reports

function loadReport(file) {
  const rep = JSON.parse(fs.readFileSync(file, 'utf8'));
  const root = path.dirname(path.dirname(file)); // results/.. = the runner
  const tests = new Map();
  const fileErrors = new Map();
  for (const tr of rep.testResults) {
    const rel = path.isAbsolute(tr.name) ? path.relative(here, tr.name) : tr.name;
    const failed = tr.assertionResults.filter(a => a.status === 'failed').length;
    if (tr.status === 'failed' && failed === 0) fileErrors.set(rel, ansi(tr.message));
    const seen = new Map();
    for (const a of tr.assertionResults) {
      let key = `${rel} > ${[...a.ancestorTitles, a.title].join(' > ')}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n > 1) key += ` ⟨${n}⟩`;
      tests.set(key, { key, file: rel, name: [...a.ancestorTitles, a.title].join(' '), status: a.status, msg: ansi((a.failureMessages ?? []).join('\n')) });
    }
  }
  void root;
  return { tests, fileErrors };
}

// ---------------------------------------------------------------------------------------------------------
// log: " FAIL  <file> > <test>" headers, the error with its diff, blocks separated by "⎯⎯⎯[n/N]⎯"

function parseLog(text, into = { tests: new Map(), files: new Map() }) {
  const t = ansi(text).replace(/\r/g, '');
  const blocks = t.split(/\n⎯{3,}\[\d+\/\d+\]⎯*\n/);
  for (const block of blocks) {
    const lines = block.split('\n');
    let i = lines.findIndex(l => l.startsWith(' FAIL  '));
    if (i < 0) continue;
    const heads = [];
    while (i < lines.length && lines[i].startsWith(' FAIL  ')) heads.push(lines[i++].slice(7).trim());
    let body = lines.slice(i);
    const end = body.findIndex(l => /^⎯{5,}/.test(l) || /^ Test Files /.test(l) || /^ {1,2}Snapshots /.test(l));
    if (end >= 0) body = body.slice(0, end);
    const bodyText = body.join('\n').replace(/\n+$/, '');
    for (const h of heads) {
      const m = /^(.*?) \[ (.*) \]$/.exec(h);
      if (m && m[1] === m[2]) {
        if (!into.files.has(m[1])) into.files.set(m[1], []);
        into.files.get(m[1]).push(bodyText);
      } else {
        if (!into.tests.has(h)) into.tests.set(h, []);
        into.tests.get(h).push(bodyText);
      }
    }
  }
  return into;
}

// ---------------------------------------------------------------------------------------------------------
// what the failure compares

/** The assertion of a failure body: { head, matcher, kind: 'diff' | 'values' | 'none', hunks | expected/received }. */
function extract(body) {
  const lines = body.split('\n');
  const head = lines.find(l => l.trim() !== '') ?? '';
  let matcher = 'unknown';
  if (/^Error: Snapshot .* mismatched/.test(head)) matcher = 'snapshot';
  else if (/ to deeply equal /.test(head)) matcher = 'equal';
  else if (/ to strictly equal /.test(head)) matcher = 'strictEqual';
  else if (/ to match object /.test(head)) matcher = 'matchObject';
  else if (/ to match \//.test(head)) matcher = 'matchRegex';
  else if (/ to match '/.test(head) || / to match "/.test(head)) matcher = 'matchString';
  else if (/ to be /.test(head)) matcher = 'be';
  else if (/ to contain /.test(head) || / to include /.test(head)) matcher = 'contain';
  else if (/promise resolved .* instead of rejecting/s.test(body.split('\n- Expected')[0])) matcher = 'rejects';
  // the stack / code frame ends the comparison
  const stackAt = lines.findIndex((l, i) => i > 0 && /^ ❯ /.test(l));
  const cmp = stackAt >= 0 ? lines.slice(0, stackAt) : lines;
  const dIdx = cmp.findIndex((l, i) => l === '- Expected' && cmp[i + 1] === '+ Received');
  if (dIdx >= 0) {
    const hunks = [];
    let cur = { exp: [], rec: [], changed: false };
    for (const l of cmp.slice(dIdx + 3)) {
      if (/^@@ .* @@$/.test(l)) {
        if (cur.exp.length || cur.rec.length) hunks.push(cur);
        cur = { exp: [], rec: [], changed: false };
        continue;
      }
      if (l.startsWith('- ') || l === '-') { cur.exp.push(l.slice(2)); cur.changed = true; }
      else if (l.startsWith('+ ') || l === '+') { cur.rec.push(l.slice(2)); cur.changed = true; }
      else { const c = l.startsWith('  ') ? l.slice(2) : l; cur.exp.push(c); cur.rec.push(c); }
    }
    if (cur.exp.length || cur.rec.length) hunks.push(cur);
    // trailing blank context lines come from the layout, not the values
    for (const h of hunks) for (const side of [h.exp, h.rec]) while (side.length && side[side.length - 1] === '') side.pop();
    return { head, matcher, kind: 'diff', hunks };
  }
  const e2 = cmp.findIndex(l => l === '- Expected:');
  const r2 = cmp.findIndex(l => l === '+ Received:');
  if (e2 >= 0 && r2 > e2) {
    const expected = cmp.slice(e2 + 1, r2).join('\n').trim();
    const received = cmp.slice(r2 + 1).join('\n').trim();
    return { head, matcher, kind: 'values', expected, received };
  }
  const eIdx = cmp.findIndex(l => l.startsWith('Expected: '));
  const rIdx = cmp.findIndex(l => l.startsWith('Received: '));
  if (eIdx >= 0 && rIdx > eIdx) {
    const expected = [cmp[eIdx].slice(10), ...cmp.slice(eIdx + 1, rIdx)].join('\n').replace(/\n+$/, '');
    const received = [cmp[rIdx].slice(10), ...cmp.slice(rIdx + 1)].join('\n').replace(/\n+$/, '');
    return { head, matcher, kind: 'values', expected, received };
  }
  return { head, matcher, kind: 'none' };
}

// ---------------------------------------------------------------------------------------------------------
// SQL normaliser (token based, one line at a time)

const isTsIdent = tok => tok.t === 'id' && TS_COLS.includes(tok.v.slice(1, -1));
const WORD_BOUNDARY_LEFT = new Set(['select', 'distinct', 'returning', 'set', 'where', 'from', 'on', 'and', 'or', 'by', 'values', 'when', 'then', 'else', 'join', 'having', 'table', 'column', 'add', 'as', 'into', 'update', 'key', 'index', 'check', 'not', 'in']);
const WORD_STOP_RIGHT = new Set(['from', 'where', 'returning', 'values', 'order', 'group', 'limit', 'offset', 'union', 'having', 'on', 'inner', 'left', 'right', 'join', 'select', 'into']);

function tokenize(s) {
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
const joinToks = toks => toks.map(t => t.v).join('');
const lw = tok => (tok && tok.t === 'w' ? tok.v.toLowerCase() : null);
const prevSig = (toks, i) => { for (let j = i - 1; j >= 0; j--) if (toks[j].t !== 'ws') return j; return -1; };
const nextSig = (toks, i) => { for (let j = i + 1; j < toks.length; j++) if (toks[j].t !== 'ws') return j; return toks.length; };

/** The list item around token i: [start, end) and the boundary tokens; depth counts parens and case…end. */
function itemAround(toks, i) {
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
function listStart(toks, L) {
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
function itemIndex(toks, start, L) {
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
function listKind(toks, s) {
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
function valueTuples(toks, close) {
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
function tupleItems(toks, open, close) {
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

const squash = s => s.replace(/\s+/g, ' ').trim();

/** Removes token range [a, b) as one list item with one adjacent comma; returns the new token array. */
function removeItem(toks, a, b) {
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

function trimItem(toks, a, b) {
  while (a < b && toks[a].t === 'ws') a++;
  while (b > a && toks[b - 1].t === 'ws') b--;
  return [a, b];
}

/** Normalises the SQL in one line: returns { line, frags } with the removed timestamp items. */
function normSqlLine(line) {
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
const EMPTY_INSERT = /insert into (`[^`]+`) (?:\((`[^`]+`)\) select null as \2(?: union all select null as \2)*|default values)/g;

// ---------------------------------------------------------------------------------------------------------
// object / code normaliser (lines)

const SCALAR = String.raw`(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?n?|null|undefined|true|false|\d{4}-\d\d-\d\dT[\d:.]+Z|Invalid Date|Any<\w+>|\[Getter\]|\[Getter\/Setter\]|[\w.]+\(\)|Date<[^>]*>)`;
const KEY = String.raw`(?:createdAt|updatedAt|created_at|updated_at)`;
const LINE_PROP = new RegExp(String.raw`^\s*(["']?)(${KEY})\1\s*:\s*(${SCALAR}|[\w$<>]*\s*[{[(])\s*,?\s*$`);
const LINE_ITEM = new RegExp(String.raw`^\s*(["'])(${KEY})\1\s*,?\s*$`);
const INLINE_JSON_AFTER = new RegExp(String.raw`,\s*(\\?")(${KEY})\1\s*:\s*(${SCALAR.replace('"(?:[^"\\\\]|\\\\.)*"', '\\\\?"(?:[^"\\\\]|\\\\[^"])*?\\\\?"')})`, 'g');
const INLINE_JSON_BEFORE = new RegExp(String.raw`(\\?")(${KEY})\1\s*:\s*(${SCALAR.replace('"(?:[^"\\\\]|\\\\.)*"', '\\\\?"(?:[^"\\\\]|\\\\[^"])*?\\\\?"')})\s*,\s*`, 'g');
const INLINE_INSPECT_AFTER = new RegExp(String.raw`,\s*(${KEY})\s*:\s*(${SCALAR})(?=\s*[,}\]])`, 'g');
const INLINE_INSPECT_BEFORE = new RegExp(String.raw`(?<=[{(]\s*)(${KEY})\s*:\s*(${SCALAR})\s*,\s*`, 'g');

const braceBalance = s => {
  let n = 0;
  for (const c of s.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g, '')) {
    if (c === '{' || c === '[' || c === '(') n++;
    else if (c === '}' || c === ']' || c === ')') n--;
  }
  return n;
};
const isCodeLine = s => /(\bdata|\bentity|\bret|\bresult|\bmapped|\bsnapshot|\bcomparator|\blast|\bnext|\bdiff|\bclone|\bentityKey)\b[\w.[\]'"]*\.?\b(createdAt|updatedAt|created_at|updated_at)\b|typeof [\w.]*\b(createdAt|updatedAt|created_at|updated_at)\b/.test(s);

/** Normalises one side (array of lines): returns { lines, frags }. */
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
const stripClass = l => l.replace(/^(\s*(?:"[^"]*": |'[^']*': |[\w$]+: )?)(?:[A-Z][\w$]*(?:<[^>]*>)?) (?=[{[])/, '$1');

function normalise(lines) {
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

const canon = lines =>
  lines
    .map(l => l.replace(/\s+$/, '').replace(/,$/, ''))
    .join('\n');

/** Multiset check: every timestamp fragment of the expected side is among the received side's. */
function missingFrags(expFrags, recFrags) {
  const bag = new Map();
  for (const f of recFrags) bag.set(squash(f), (bag.get(squash(f)) ?? 0) + 1);
  const missing = [];
  for (const f of expFrags) {
    const k = squash(f);
    if (bag.get(k) > 0) bag.set(k, bag.get(k) - 1);
    else missing.push(f);
  }
  return missing;
}

/** Generated-code temp indexes (`allowed_token_20` vs `allowed_token_24`): equal up to an even positive shift. */
function tmpIndexShift(exp, rec) {
  const re = /\b([A-Za-z][\w]*?)_(\d+)\b/g;
  const e = exp.replace(re, '$1_#');
  const r = rec.replace(re, '$1_#');
  if (e !== r) return null;
  const en = [...exp.matchAll(re)].map(m => +m[2]);
  const rn = [...rec.matchAll(re)].map(m => +m[2]);
  const shifts = new Set(en.map((x, k) => rn[k] - x).filter(d => d !== 0));
  if ([...shifts].every(d => d > 0 && d % 2 === 0)) return [...shifts];
  return null;
}

/** Compares a diff / value pair after normalisation: { ok, why, note }. */
function compare(ex) {
  const r = compare0(ex);
  if (showing) {
    const pre = s => s.replace(/\\`/g, '`');
    const sides = ex.kind === 'diff' ? ex.hunks.filter(h => h.changed).map(h => [h.exp, h.rec]) : ex.kind === 'values' ? [[ex.expected.split('\n'), ex.received.split('\n')]] : [];
    for (const [e, c] of sides) {
      const ne = normalise(e.map(pre));
      const nc = normalise(c.map(pre));
      console.log('--- expected (normalised):\n' + ne.lines.join('\n') + '\n  frags: ' + JSON.stringify(ne.frags));
      console.log('+++ received (normalised):\n' + nc.lines.join('\n') + '\n  frags: ' + JSON.stringify(nc.frags));
    }
    console.log('=> ' + JSON.stringify(r));
  }
  return r;
}
let showing = false;

function compare0(ex) {
  const pre = s => s.replace(/\\`/g, '`');
  if (ex.kind === 'diff' && (ex.matcher === 'matchString' || ex.matcher === 'contain')) {
    // toMatch(string) with a multi-line string: the received text must contain the expected one
    const e = normalise(ex.hunks.flatMap(h => h.exp).map(pre));
    const r = normalise(ex.hunks.flatMap(h => h.rec).map(pre));
    const ce = canon(e.lines);
    const cr = canon(r.lines);
    if (!cr.includes(ce)) return { ok: false, why: `${ex.matcher}: received does not contain expected after removing timestamps:\n    expected: ${ce.slice(0, 500)}\n    received: ${cr.slice(0, 500)}` };
    const miss = missingFrags(e.frags, r.frags);
    if (miss.length) return { ok: false, why: `timestamp the expected side had is not in the received side: ${miss.join(' ;; ')}` };
    return { ok: true, note: frNote(r.frags) };
  }
  if (ex.kind === 'diff') {
    const notes = [];
    for (const h of ex.hunks) {
      if (!h.changed) continue;
      const prep = l => (ex.matcher === 'equal' || ex.matcher === 'matchObject' ? stripClass(pre(l)) : pre(l));
      const e = normalise(h.exp.map(prep));
      const r = normalise(h.rec.map(prep));
      const ce = canon(e.lines);
      const cr = canon(r.lines);
      if (ce !== cr) {
        const shift = tmpIndexShift(ce, cr);
        if (flat(e.lines) === flat(r.lines)) { /* same values, other line breaks (util.inspect breaks longer objects) */ }
        else if (shift) { notes.push(`generated-code temp index shifted by ${shift.join(',')} (timestamp scalars of other entities)`); }
        else return { ok: false, why: 'differs after removing timestamps:\n' + firstDiff(e.lines, r.lines) };
      }
      const n = frNote(r.frags);
      if (n) notes.push(n);
      const miss = missingFrags(e.frags, r.frags);
      if (miss.length) return { ok: false, why: `timestamp the expected side already had is not in the received side unchanged: ${miss.slice(0, 3).join(' ;; ')}\n  received timestamps: ${r.frags.slice(0, 4).join(' ;; ')}` };
      if (!e.frags.length && !r.frags.length && ce === cr && h.exp.join('\n') !== h.rec.join('\n')) {
        return { ok: false, why: 'differs in whitespace/commas only (not a timestamp)' };
      }
    }
    if (ex.hunks.every(h => !h.changed)) return { ok: false, why: 'diff without changed lines' };
    return { ok: true, note: [...new Set(notes)].join('; ') };
  }
  if (ex.kind === 'values') {
    const unq = s => {
      s = s.trim();
      if (/^".*"$/s.test(s)) s = s.slice(1, -1).replace(/\\"/g, '"');
      else if (/^'.*'$/s.test(s)) s = s.slice(1, -1).replace(/\\'/g, "'");
      return pre(s);
    };
    const e = normalise(unq(ex.expected).split('\n'));
    const r = normalise(unq(ex.received).split('\n'));
    const ce = canon(e.lines);
    const cr = canon(r.lines);
    let ok;
    if (ex.matcher === 'matchString' || ex.matcher === 'contain') ok = cr.includes(ce);
    else if (ex.matcher === 'matchRegex') {
      const m = /^\/(.*)\/([a-z]*)$/s.exec(ex.expected.trim());
      try { ok = m ? new RegExp(m[1], m[2]).test(cr) : false; } catch { ok = false; }
    } else ok = ce === cr;
    if (!ok && ex.matcher === 'be' && flat(e.lines) === flat(r.lines)) ok = true;
    if (!ok) return { ok: false, why: `${ex.matcher}: after removing timestamps\n    expected: ${ce.slice(0, 600)}\n    received: ${cr.slice(0, 600)}` };
    if (!r.frags.length && !e.frags.length) return { ok: false, why: 'no timestamp removed, yet it failed' };
    const miss = missingFrags(e.frags, r.frags);
    if (miss.length) return { ok: false, why: `timestamp the expected side had is not in the received side: ${miss.join(' ;; ')}` };
    return { ok: true, note: frNote(r.frags) };
  }
  return { ok: false, why: 'no diff in the failure' };
}

/** Notes for normalisations that are more than removing an item. */
const frNote = frags => [...new Set(frags.filter(f => /^upsert:/.test(f)))].join('; ');

/** One line of the values, layout-free: what util.inspect / pretty-format wraps differently when an object grows. */
function flat(lines) {
  return lines
    .join(' ')
    .replace(/\s+/g, ' ')
    .replace(/,\s*(?=[}\]])/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function firstDiff(a, b) {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if ((a[i] ?? '').replace(/,$/, '').trimEnd() !== (b[i] ?? '').replace(/,$/, '').trimEnd()) {
      return `    - ${(a[i] ?? '<none>').slice(0, 400)}\n    + ${(b[i] ?? '<none>').slice(0, 400)}`;
    }
  }
  return '    (line count differs)';
}

// ---------------------------------------------------------------------------------------------------------
// NOT NULL on a timestamp column: which write

function stackOf(body, msg) {
  const frames = [
    ...(body ?? '').split('\n').filter(l => /^ ❯ /.test(l)).map(l => l.slice(3)),
    ...(msg ?? '').split('\n').filter(l => /^\s+at /.test(l)).map(l => l.trim().slice(3)),
  ];
  return frames;
}
function codeLine(body, src, frames) {
  // the code frame line under the test frame (vitest prints "  NN| code" and a caret line)
  const m = /\n\s*(\d+)\|(.*)\n\s*\|\s*\^/.exec(body ?? '');
  if (m) return { line: +m[1], text: m[2].trim() };
  const tf = frames.find(f => /tests\/.*\.test\.ts:(\d+)/.test(f));
  if (tf && src) {
    const n = +/\.test\.ts:(\d+)/.exec(tf)[1];
    return { line: n, text: src.split('\n')[n - 1]?.trim() ?? '' };
  }
  return null;
}

function classifyNotNull(frames, body, src) {
  const has = re => frames.some(f => re.test(f));
  const testFrameIdx = frames.findIndex(f => /tests\/.*\.test\.ts/.test(f));
  const beforeTest = testFrameIdx >= 0 ? frames.slice(0, testFrameIdx) : frames;
  const hasB = re => beforeTest.some(f => re.test(f));
  const code = codeLine(body, src, frames);
  const codeText = code?.text ?? '';
  // pivot rows MikroORM writes for a M:N collection (no entity, no hooks)
  if (has(/PivotCollectionPersister/)) return { bypass: true, how: 'pivot rows written by MikroORM (PivotCollectionPersister, no entity hooks)' };
  if (hasB(/PluginEntityManager\.(insert|insertMany|upsert|upsertMany|nativeUpdate)/) || hasB(/ChangeSetPersister|UnitOfWork/)) {
    return { bypass: false, how: `written through the EntityManager (${(beforeTest.find(f => /PluginEntityManager\.\w+|ChangeSetPersister\.\w+/.test(f)) ?? '').split(' ')[0]}), which the plugin stamps` };
  }
  if (hasB(/insert-query-builder|kysely\/dist\/query-builder/) && !hasB(/@mikro-orm\//)) return { bypass: true, how: 'kysely insert (getKysely)' };
  if (/\bgetKysely\b|kysely|\.insertInto\(/.test(codeText) || (hasB(/kysely\/dist/) && !hasB(/@mikro-orm\//))) return { bypass: true, how: 'kysely insert (getKysely)' };
  if (hasB(/QueryBuilder\.execute|QueryBuilder\.getResult|QueryBuilderHelper/) || /createQueryBuilder|\.qb\(|\.insert\(/.test(codeText) && !/em\.insert|\.insertMany/.test(codeText)) {
    if (!/em\.insert|orm\.em\.insert/.test(codeText)) return { bypass: true, how: 'QueryBuilder insert' };
  }
  if (hasB(/\.nativeInsert(Many)? /) && !hasB(/EntityManager/)) return { bypass: true, how: 'driver.nativeInsert' };
  if (/\.execute\(|\.raw\(|sql`|\.run\(|\.exec\(/.test(codeText) || hasB(/Connection\.execute /)) return { bypass: true, how: 'raw SQL (connection.execute)' };
  // the assertion (e.g. `rejects.toThrow('boom')`) is below the write: the write in the lines above it
  if (code && src) {
    const lines = src.split('\n').slice(Math.max(0, code.line - 40), code.line);
    const w = [...lines].reverse().find(l => /\.insertInto\(|getKysely|\.execute\(\s*[`'"]\s*insert|createQueryBuilder\([^)]*\)\s*\.insert\(|\.nativeInsert\(/i.test(l));
    if (w && !lines.some(l => /\b(em|orm\.em|fork\(\))\.(persist|flush|insert|insertMany|upsert|create)\b/.test(l))) {
      return { bypass: true, how: `write above the assertion that bypasses hooks: ${w.trim().slice(0, 120)}` };
    }
  }
  return { bypass: false, how: `writer not recognised (${beforeTest.slice(0, 3).join(' <- ')}; code: ${codeText})` };
}

// ---------------------------------------------------------------------------------------------------------
// classify one failure

const srcCache = new Map();
const source = file => {
  if (!srcCache.has(file)) { try { srcCache.set(file, fs.readFileSync(path.join(here, file), 'utf8')); } catch { srcCache.set(file, ''); } }
  return srcCache.get(file);
};

function classifyBody(body, msg, file) {
  const text = body ?? msg ?? '';
  const head = text.split('\n').find(l => l.trim() !== '') ?? '';
  const frames = stackOf(body, msg);
  const src = source(file);
  const nn = /NOT NULL constraint failed: ([\w.]+)\.(created_at|updated_at)/.exec(text) ?? /NOT NULL constraint failed: ([\w.]+)\.creat…/.exec(text);
  if (nn) {
    // the NOT NULL must be the failure itself (or the error a toThrow got instead of its own)
    const own = /NOT NULL constraint failed/.test(head) || / to throw error including .* but got 'NOT NULL constraint failed/.test(head) || /promise rejected "\w*: ?NOT NULL constraint failed/.test(head) || /promise rejected "NotNullConstraintViolationException/.test(head);
    const w = classifyNotNull(frames, body, src);
    if (own && w.bypass) return { cls: 'expected-bypass', why: `${nn[1]}.${nn[2] ?? 'created_at'}: ${w.how}` };

    return { cls: 'unexplained', why: `NOT NULL ${nn[1]}.${nn[2] ?? 'created_at'}: ${w.how}` };
  }
  const nc = /no such column: (\w+)\.(created_at|updated_at)|has no column named (created_at|updated_at)/.exec(text);
  if (nc) {
    const raw = /(execute|raw)\(\s*[`'"][^`'"]*create table/i.test(src) || /create table [^`'"]*\(/i.test(src) && /schema\.execute|connection\.execute|getConnection\(\)\.execute/.test(src);
    if (raw) return { cls: 'expected-external-schema', why: `${nc[0]}: the test creates tables by raw SQL` };
    return { cls: 'unexplained', why: `${nc[0]} (no raw create table in the test)` };
  }
  if (!body) return { cls: 'unexplained', why: 'no diff available (not in the log; rerun the file into --extra-logs)' };
  const ex = extract(body);
  const r = compare(ex);
  if (r.ok) return { cls: 'expected', why: `${ex.matcher}${r.note ? ' — ' + r.note : ''}` };
  return { cls: 'unexplained', why: `${head.slice(0, 200)}\n  ${r.why}` };
}

// ---------------------------------------------------------------------------------------------------------
// main

const a = loadReport(basePath);
const c = loadReport(cPath);
const log = { tests: new Map(), files: new Map() };
if (fs.existsSync(logPath)) parseLog(fs.readFileSync(logPath, 'utf8'), log);
const extra = { tests: new Map(), files: new Map() };
if (fs.existsSync(extraLogs)) for (const f of fs.readdirSync(extraLogs).filter(f => f.endsWith('.log')).sort()) parseLog(fs.readFileSync(path.join(extraLogs, f), 'utf8'), extra);

const results = [];
for (const [key, t] of a.tests) {
  if (t.status !== 'passed') continue;
  const o = c.tests.get(key);
  if (o?.status === 'passed') continue;
  const bodies = log.tests.get(key.replace(/ ⟨\d+⟩$/, '')) ?? extra.tests.get(key.replace(/ ⟨\d+⟩$/, ''));
  let res;
  showing = show !== null && key.includes(show);
  if (showing) console.log(`##### ${key}`);
  if (!o) res = { cls: 'unexplained', why: 'missing in c (file did not run?)' };
  else if (o.status !== 'failed') {
    // skipped after a failing hook: the file-level error decides
    const fe = c.fileErrors.get(t.file);
    // a suite-level hook: " FAIL  file [ file ]", or " FAIL  file > describe" for a describe's beforeAll
    const suite = [...log.tests.keys(), ...extra.tests.keys()].filter(k => key.startsWith(k + ' > ')).sort((x, y) => y.length - x.length)[0];
    const fb = log.files.get(t.file) ?? extra.files.get(t.file) ?? (suite ? log.tests.get(suite) ?? extra.tests.get(suite) : undefined);
    const body = fb?.find(b => !/Obsolete snapshots/.test(b) && !/reading 'close'/.test(b)) ?? null;
    if (!fe && !body) res = { cls: 'unexplained', why: `status ${o.status} without a file error` };
    else {
      const r = classifyBody(body, fe, t.file);
      res = { cls: r.cls, why: `[${o.status}: beforeAll/beforeEach failed] ${r.why}`, hookBody: body ?? fe };
    }
  } else if (bodies?.length) {
    // several errors for one test (e.g. the test and an afterEach): every one must be explained
    const rs = bodies.map(b => classifyBody(b, o.msg, t.file));
    const bad = rs.find(r => r.cls === 'unexplained') ?? rs.find(r => r.cls !== 'expected') ?? rs[0];
    res = bad;
  } else res = classifyBody(null, o.msg, t.file);
  const { hookBody, ...rest } = res;
  results.push({ key, status: o?.status ?? 'missing', ...rest, body: (bodies?.[0] ?? (o?.msg || hookBody) ?? '').split('\n') });
}

// ---------------------------------------------------------------------------------------------------------
// a test that fails after another test of its file failed may fail only because of the state that test left
// (an identity map not cleared, rows not deleted): run it alone, in mode c, and classify that run instead.

const isoDir = path.join(extraLogs, 'isolated');
const reEscape = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function isolatedRun(t) {
  const base = t.file.replace(/[^\w.-]+/g, '_') + '__' + crypto.createHash('sha1').update(t.key).digest('hex').slice(0, 10);
  const jsonF = path.join(isoDir, base + '.json');
  const logF = path.join(isoDir, base + '.log');
  if (!fs.existsSync(jsonF)) {
    if (!isolate) return null;
    fs.mkdirSync(isoDir, { recursive: true });
    process.stderr.write(`isolated run: ${t.key}\n`);
    const r = spawnSync('npx', ['vitest', 'run', t.file, '-t', `^${reEscape(t.name)}$`, '--reporter=default', '--reporter=json', `--outputFile.json=${jsonF}`], {
      cwd: here,
      env: { ...process.env, SUITE_MODE: 'c', CI: 'true' }, // CI: vitest writes no snapshot
      encoding: 'utf8',
      timeout: 600_000,
      maxBuffer: 64 << 20,
    });
    fs.writeFileSync(logF, `# ${t.key}\n# package: ${fs.statSync(path.join(here, 'mikro-orm-plugins.tgz')).mtime.toISOString()}\n${r.stdout}\n${r.stderr}`);
    if (!fs.existsSync(jsonF)) return null;
  }
  const rep = JSON.parse(fs.readFileSync(jsonF, 'utf8'));
  const ar = rep.testResults.flatMap(tr => tr.assertionResults).find(x => [...x.ancestorTitles, x.title].join(' > ') === t.key.slice(t.file.length + 3).replace(/ ⟨\d+⟩$/, ''));
  if (!ar) return null;
  const parsed = parseLog(fs.existsSync(logF) ? fs.readFileSync(logF, 'utf8') : '');
  return { status: ar.status, msg: ansi((ar.failureMessages ?? []).join('\n')), bodies: parsed.tests.get(t.key.replace(/ ⟨\d+⟩$/, '')) ?? [] };
}

for (const r of results) {
  if (r.cls !== 'unexplained' || r.status !== 'failed') continue;
  const t = c.tests.get(r.key);
  const iso = isolatedRun(t);
  if (!iso) continue;
  const earlier = results.filter(x => x.key.startsWith(t.file + ' > ') && x !== r && x.status === 'failed').map(x => x.key.slice(t.file.length + 3));
  if (iso.status === 'passed') {
    r.cls = 'consequential';
    r.why = `passes when run alone in mode c: fails only after other failures of its file (${earlier.slice(0, 3).join(' | ')}${earlier.length > 3 ? ' …' : ''}) left state behind (e.g. an identity map not cleared)`;
  } else if (iso.status === 'failed') {
    const rs = iso.bodies.length ? iso.bodies.map(b => classifyBody(b, iso.msg, t.file)) : [classifyBody(null, iso.msg, t.file)];
    const bad = rs.find(x => x.cls === 'unexplained') ?? rs[0];
    if (bad.cls !== 'unexplained') { r.cls = bad.cls; r.why = `run alone: ${bad.why} (in the full run it failed otherwise, after earlier failures of its file)`; }
    else { r.why += `\n  run alone it still fails: ${bad.why.split('\n')[0]}`; r.isolated = true; }
  }
}

// ---------------------------------------------------------------------------------------------------------
// what changed, for the unexplained ones: known patterns of this package's defects (a hint, to be checked
// against the test; "?" when none fits)

function diagnose(r) {
  const file = r.key.split(' > ')[0];
  const src = source(file);
  const body = r.body.join('\n');
  const all = `${r.why}\n${body}`;
  let m;
  if ((m = /Duplicate fieldNames are not allowed: (\w+)\.(created_at|updated_at) .*?\1\.(createdAt|updatedAt)/.exec(all)))
    return `init fails: ${m[1]} already maps column ${m[2]} under another property name; the plugin adds ${m[3]} on the same column instead of reusing it (MetadataError: Duplicate fieldNames)`;
  if ((m = /Value for (\w+)\.(createdAt|updatedAt) is required/.exec(all))) {
    if (new RegExp(`pivotEntity\\(?\\s*(?:\\(\\)\\s*=>\\s*)?${m[1]}\\b|pivotEntity: \\(\\) => ${m[1]}\\b`).test(src))
      return `flush fails: ${m[1]} is a custom pivot entity (pivotEntity): it gets the NOT NULL columns but is not among the entities the plugin's subscriber subscribes to, so beforeCreate never stamps it (ValidationError ${m[2]} required)`;
    if (/inheritance: 'tpt'|inheritance: "tpt"/.test(src))
      return `flush fails: ${m[1]} is a leaf of a table-per-type hierarchy (abstract root, inheritance: 'tpt'); its ${m[2]} is not stamped on create (ValidationError ${m[2]} required)`;
    return `flush fails: ${m[1]}.${m[2]} is not stamped on create (ValidationError required)`;
  }
  if ((m = /NOT NULL ([\w.]+)\.(created_at|updated_at): written through the EntityManager \((\S+)\)/.exec(all))) {
    const ent = m[1];
    const pivot = /pivotEntity/.test(src) ? ' (the entity is a custom pivot entity: not among the subscriber\'s entities)' : '';
    return `${m[3]} writes ${ent} without ${m[2]}: the plugin does not stamp it${pivot} (NOT NULL constraint)`;
  }
  if (/getSubscribers\(\)\.size/.test(body) || /getSubscribers\(\)\.size/.test(src) && /expected \d+ to deeply equal \d+/.test(body))
    return "EventManager.getSubscribers() has one more entry: the package's own subscriber (registered once a plugin is attached; mode b has none)";
  if (/usageMap\[entityName\]/.test(body))
    return 'the property getter (accessor: true) is read 8 times instead of 4 during flush: with a beforeCreate listener, MikroORM\'s runHooks() snapshots the entity (comparator.prepareEntity) before and after the hook';
  const inherited =
    'an entity that inherits createdAt/updatedAt from a defineEntity base (tests/entities-schema: Book4 and BookTag4 have `extends: BaseEntity5`, nullable, onCreate/onUpdate) gets the plugin\'s own NOT NULL createdAt/updatedAt appended instead of reusing the inherited ones: the columns become NOT NULL and move to the end of the table, of insert column lists and of select lists';
  if (/timestamp the expected side (already )?had/.test(r.why)) return inherited;
  if (/drop column `(created_at|updated_at)`/.test(body) && /discoverEntity\(/.test(src))
    return 'entity registered after init with orm.discoverEntity() gets no plugin columns, so the schema diff drops created_at/updated_at of the existing table';
  if (/datetime null, `updated_at` datetime null/.test(body) && /created_at` datetime not null/.test(body)) return inherited;
  if (/on conflict/.test(body) && /returning/.test(body) && /upsert/i.test(r.key + src))
    return "em.upsert/upsertMany: the plugin adds onConflictExcludeFields: ['createdAt'], and with that option MikroORM's getOnConflictReturningFields() returns every non-key column instead of only those missing from the data: RETURNING gains the non-timestamp columns (name, email, field…; mode a: no RETURNING or `returning id`)";
  if (/update `\w+` set `created_at` = \d+, `updated_at` = \d+ where/.test(body))
    return "extra UPDATE after reloading an unchanged entity: its own createdAt (type 'datetime') is now set by the plugin, MikroORM compares 'datetime' props as always dirty, so every flush re-writes it and bumps updated_at (one more query)";
  if (/Cannot find matching entity for condition/.test(body))
    return "upsertMany with a raw onConflictFields and onConflictAction 'ignore': MikroORM reloads the rows by the values written, which include the stamped timestamps, and finds none";
  return '? (read the test)';
}
for (const r of results) if (r.cls === 'unexplained') r.diagnosis = diagnose(r);

const byClass = new Map();
for (const r of results) {
  if (!byClass.has(r.cls)) byClass.set(r.cls, []);
  byClass.get(r.cls).push(r);
}
const order = ['expected', 'expected-bypass', 'expected-external-schema', 'consequential', 'unexplained'];
console.log(`# strict analysis of ${path.relative(process.cwd(), cPath)} against ${path.relative(process.cwd(), basePath)} (log: ${fs.existsSync(logPath) ? path.relative(process.cwd(), logPath) : 'none'})`);
console.log(`${results.length} tests pass in a and not in c`);
for (const k of [...order, ...[...byClass.keys()].filter(k => !order.includes(k))]) {
  const v = byClass.get(k) ?? [];
  console.log(`  ${String(v.length).padStart(4)}  ${k}  (${new Set(v.map(r => r.key.split(' > ')[0])).size} files)`);
}
const newFileErrors = [...c.fileErrors].filter(([f]) => !a.fileErrors.has(f));
console.log(`  file-level errors in c: ${newFileErrors.length} (their tests are counted above when skipped)`);

for (const k of ['expected', 'expected-bypass', 'expected-external-schema', 'consequential']) {
  const v = byClass.get(k) ?? [];
  if (!v.length) continue;
  console.log(`\n## ${k} (${v.length})`);
  if (k === 'expected' && !verbose) {
    const notes = v.filter(r => / — |run alone/.test(r.why));
    console.log(`  (list with -v)${notes.length ? '; with a note:' : ''}`);
    for (const r of notes) console.log(`  - ${r.key}  ::  ${r.why}`);
    continue;
  }
  for (const r of v) console.log(`  - ${r.key}  ::  ${r.why}`);
}
const un = byClass.get('unexplained') ?? [];
console.log(`\n## unexplained (${un.length}), by what changed`);
const byDiag = new Map();
for (const r of un) byDiag.set(r.diagnosis, [...(byDiag.get(r.diagnosis) ?? []), r]);
for (const [d, v] of byDiag) {
  console.log(`\n* ${d}`);
  for (const r of v) console.log(`    - ${r.key}`);
}
console.log(`\n## unexplained, each with its failure`);
for (const r of un) {
  console.log(`\n- ${r.key}  [${r.status}]`);
  console.log(`  changed: ${r.diagnosis}`);
  console.log('  reason: ' + r.why.split('\n').join('\n  '));
  console.log('  failure:');
  for (const l of r.body.filter(l => l.trim() !== '').slice(0, 15)) console.log('    | ' + l.slice(0, 240));
}
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results.map(({ body, ...r }) => r), null, 1));
