// recordAuditEvent/auditEvents: events beside the changes in the audit table (what the console records), never in history().
import { defineEntity, p } from '@mikro-orm/core';
import { expect, test } from 'vitest';
import { AuditPlugin, auditEvents, auditLog, history, recordAuditEvent } from '../src/audit.js';
import { PluginRegistry, pluginSystem, runWithContext, usePlugins } from '../src/index.js';
import { auditRows } from './support/audit-support.js';
import { sqlite } from './support/databases.js';

const Note = usePlugins(defineEntity({ name: 'EvNote', properties: { id: p.integer().primary(), text: p.string() } }), ['audit']);
const registry = () => new PluginRegistry().registerMany({ audit: AuditPlugin });

test('an event is one row with its actor (given, or from the context); history() leaves it out; auditEvents reads it back', async () => {
  const orm = await sqlite.init({ entities: [Note], extensions: [pluginSystem({ registry: registry() }), auditLog()] });
  try {
    const em = orm.em.fork();
    em.create(Note, { id: 1, text: 'a' });
    await em.flush();
    expect(await recordAuditEvent(orm.em, { subject: 'EvNote', subjectId: '1', action: 'exported', actor: 'ops', details: { to: 'csv' } })).toBe(true);
    await runWithContext({ actor: 'ctx-user', requestId: 'r1' }, () => recordAuditEvent(orm.em, { subject: 'Login', subjectId: 'web', action: 'denied' }));
    const rows = await auditRows(orm);
    expect(rows.map(r => [r.entityName, r.operation, r.actor])).toEqual([['EvNote', 'create', null], ['EvNote', 'event', 'ops'], ['Login', 'event', 'ctx-user']]);
    expect((await history(orm.em, 'EvNote', 1)).map(r => r.operation)).toEqual(['create']);
    const events = await auditEvents(orm.em);
    expect(events.map(e => [e.subject, e.action, e.actor, e.requestId])).toEqual([['Login', 'denied', 'ctx-user', 'r1'], ['EvNote', 'exported', 'ops', null]]);
    expect(events[1]!.details).toEqual({ to: 'csv' });
    expect(await auditEvents(orm.em, { subject: 'Login', actor: 'nobody' })).toEqual([]);
    await expect(recordAuditEvent(orm.em, { subject: '', subjectId: '1', action: 'x' })).rejects.toMatchObject({ code: 'MOP_INVALID_ARGUMENT', option: 'event.subject' });
  } finally {
    await orm.close(true);
  }
});

test('without an audit table, recordAuditEvent writes nothing and says so', async () => {
  const orm = await sqlite.init({ entities: [defineEntity({ name: 'EvPlain', properties: { id: p.integer().primary() } })], extensions: [pluginSystem({ registry: registry() }), auditLog({ table: false })] });
  try {
    expect(await recordAuditEvent(orm.em, { subject: 'S', subjectId: '1', action: 'a' })).toBe(false);
    await expect(auditEvents(orm.em)).rejects.toMatchObject({ code: 'MOP_AUDIT_NOT_INSTALLED' });
  } finally {
    await orm.close(true);
  }
});
