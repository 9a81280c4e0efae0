// Classifies one failure (its log body, else the report's message) into one of the classes of strict-c.mjs.
import { extract } from './assertion.mjs';
import { compare } from './compare-sides.mjs';
import { classifyNotNull, stackOf } from './not-null-writer.mjs';

/** { cls, why } of one failure; `src` is the test file's source (NOT NULL writers, raw create table). */
export function classifyBody(body, msg, src) {
  const text = body ?? msg ?? '';
  const head = text.split('\n').find(l => l.trim() !== '') ?? '';
  const frames = stackOf(body, msg);
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

