// Compares the two sides of a failure once both are normalised (a diff hunk by hunk): equal (or, for toMatch /
// toContain, contained), and every timestamp the expected side already had is in the received side unchanged.
// Generated-code temp indexes (`name_20` vs `name_24`) that shift by the hydrated timestamp scalars of other
// entities are accepted when the received index is larger by an even number (noted in the output).
import { normalise, stripClass } from './normalise.mjs';
import { squash } from './text.mjs';

// the text compared: trailing whitespace and commas differ when a neighbouring item is removed
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

/** Compares a diff / value pair after normalisation: { ok, why, note }; with --show, prints both sides. */
export function compare(ex) {
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
// --show: set by the caller for each test it classifies (a module binding, as compare() is reached through
// classifyBody(), which does not know about the option); the last value stays for the isolated reruns.
let showing = false;
export const setShowing = v => { showing = v; };

/** compare() without the --show output. */
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

/** The first line where the sides differ, for the reason printed. */
function firstDiff(a, b) {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if ((a[i] ?? '').replace(/,$/, '').trimEnd() !== (b[i] ?? '').replace(/,$/, '').trimEnd()) {
      return `    - ${(a[i] ?? '<none>').slice(0, 400)}\n    + ${(b[i] ?? '<none>').slice(0, 400)}`;
    }
  }
  return '    (line count differs)';
}
