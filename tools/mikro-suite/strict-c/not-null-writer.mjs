// NOT NULL on a timestamp column: which write hit it. A write that bypasses the entity hooks (raw SQL,
// kysely, a QueryBuilder insert, driver.nativeInsert, pivot rows MikroORM writes itself) never gets the
// plugin's stamps, so its NOT NULL failure is expected; a write through the EntityManager is a defect.

/** The stack frames of a failure: vitest's " ❯ " lines of the log body, then the "at" lines of the report. */
export function stackOf(body, msg) {
  const frames = [
    ...(body ?? '').split('\n').filter(l => /^ ❯ /.test(l)).map(l => l.slice(3)),
    ...(msg ?? '').split('\n').filter(l => /^\s+at /.test(l)).map(l => l.trim().slice(3)),
  ];
  return frames;
}

/** The test line that failed: { line, text } from the code frame, else from the test frame of the stack. */
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

/** { bypass, how }: whether the write bypassed the entity hooks, and which write it was. */
export function classifyNotNull(frames, body, src) {
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
