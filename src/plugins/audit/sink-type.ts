import { definePluginType, type PluginType } from '../../operations/index.js';
import type { AuditSink } from './types.js';

/**
 * The `AuditSink` plugin type: register sink implementations against it
 * (`AuditSinkType.register('kafka', sink, { priority: 10 })`) and the audit plugin sends each
 * committed record to the one `getImplementation` chooses for the ORM: the lowest-priority `active`
 * implementation, else the lowest-priority `reserve` one. Operators switch it through `plugin_state`
 * (`AuditSink:kafka`), like any plugin. Sinks given to `auditLog({ sinks })` are not switchable: they always run.
 */
export const AuditSinkType: PluginType<AuditSink> = definePluginType<AuditSink>('AuditSink', {
  methods: ['write'],
  description: 'Where committed audit records go besides the audit table',
});
