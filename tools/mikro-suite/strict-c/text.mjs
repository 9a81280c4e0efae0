// Small text helpers shared by the readers and the normalisers.

/** Strips terminal colours: vitest colours its messages and its log. */
export const ansi = s => String(s ?? '').replace(/\x1b\[[0-9;]*m/g, '');

/** Collapses whitespace, so that line breaks and indentation do not count when items are compared. */
export const squash = s => s.replace(/\s+/g, ' ').trim();
