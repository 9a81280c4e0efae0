// The source of a test file, read once: the classifier and the diagnosis both look into it.
import fs from 'node:fs';
import path from 'node:path';

/** A reader of test files relative to the runner `root`; a file that cannot be read is ''. */
export function sourceReader(root) {
  const srcCache = new Map();
  return file => {
    if (!srcCache.has(file)) { try { srcCache.set(file, fs.readFileSync(path.join(root, file), 'utf8')); } catch { srcCache.set(file, ''); } }
    return srcCache.get(file);
  };
}
