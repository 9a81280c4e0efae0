// Reads the failures out of a vitest log. The JSON report has only the stack of a failure, not its diff;
// the dot reporter ends the log with every failure and its diff.
import { ansi } from './text.mjs';

/**
 * Adds the failure bodies of a log to `into`: " FAIL  <file> > <test>" headers, the error with its diff,
 * blocks separated by "⎯⎯⎯[n/N]⎯". A header " FAIL  <file> [ <file> ]" is a file-level error (a hook
 * outside every describe) and goes to `files`; everything else goes to `tests` under its header.
 */
export function parseLog(text, into = { tests: new Map(), files: new Map() }) {
  const t = ansi(text).replace(/\r/g, '');
  const blocks = t.split(/\n⎯{3,}\[\d+\/\d+\]⎯*\n/);
  for (const block of blocks) {
    const lines = block.split('\n');
    let i = lines.findIndex(l => l.startsWith(' FAIL  '));
    if (i < 0) continue;
    // one error shared by several tests has several headers
    const heads = [];
    while (i < lines.length && lines[i].startsWith(' FAIL  ')) heads.push(lines[i++].slice(7).trim());
    let body = lines.slice(i);
    // the last block runs into the summary
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
