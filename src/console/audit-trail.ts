import type { MikroORM } from '@mikro-orm/core';
import { recordAuditEvent } from '../plugins/audit/index.js';

/** The audit rows' subject for everything the console records. */
export const CONSOLE_SUBJECT = 'PluginConsole';

/**
 * Records a console change or a refused request in the audit table, when the ORM keeps one. A
 * failure to record is reported to `onError`, never to the client: the change itself stands.
 */
export async function recordConsoleEvent(
  orm: MikroORM,
  event: { subjectId: string; action: string; actor: string | null; details?: Record<string, unknown> },
  onError: (error: unknown) => void,
): Promise<void> {
  try {
    await recordAuditEvent(orm.em, { subject: CONSOLE_SUBJECT, subjectId: event.subjectId, action: event.action, actor: event.actor, details: event.details ?? {} });
  } catch (error) {
    onError(error);
  }
}
