let last = 0;

/**
 * The time an audit row records: the wall clock, held back from ever running backwards within
 * this process (NTP steps), so "newest first" by `(recordedAt, id)` matches write order.
 */
export function auditClock(): Date {
  const now = Date.now();
  if (now > last) last = now;
  return new Date(last);
}
