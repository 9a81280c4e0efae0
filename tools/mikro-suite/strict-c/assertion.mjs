// What a failure compares: the matcher and the two sides of its diff, read from the failure's text in the log.

/** The assertion of a failure body: { head, matcher, kind: 'diff' | 'values' | 'none', hunks | expected/received }. */
export function extract(body) {
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
