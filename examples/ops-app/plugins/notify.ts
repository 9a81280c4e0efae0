import { defineEntity, p, type MikroORM } from '@mikro-orm/core';
import { hook, plugin, type EntityChanges, type HealthCheckResult, type HookContext } from 'mikro-orm-plugins';

declare module 'mikro-orm-plugins' {
  interface PluginOptionsMap {
    notify: { channel?: 'email' | 'sms'; apiKey?: string; endpoint?: string; retries?: number };
  }
}

export interface NotifyOptions {
  channel: 'email' | 'sms';
  apiKey: string;
  endpoint: string;
  retries: number;
}

/** The table this plugin contributes: MikroORM's schema generator and migrations create it. */
export const NotificationLog = defineEntity({
  name: 'NotificationLog',
  properties: {
    id: p.integer().primary().autoincrement(),
    entity: p.string(),
    kind: p.string(),
  },
});

/** Found by directory discovery: option fields with a secret, a health check, a connection test and a lifecycle. */
@plugin({
  name: 'notify',
  version: '2.0.0',
  description: 'Queues a notification for every change.',
  options: {
    fields: {
      channel: { type: 'string', default: 'email', enum: ['email', 'sms'], description: 'Delivery channel', group: 'delivery', order: 1 },
      endpoint: { type: 'string', default: 'https://notify.example.test', pattern: 'https://.+', description: 'Provider URL', group: 'delivery', order: 2 },
      retries: { type: 'integer', default: 3, min: 0, max: 10, description: 'Attempts per message', group: 'delivery', order: 3 },
      apiKey: { type: 'string', secret: true, required: true, min: 8, description: 'Provider API key', group: 'credentials' },
    },
    // The hook reads these from ctx.options at each call: an operator may change them while the app runs.
    live: ['channel', 'retries'],
  },
})
export class NotifyPlugin {
  static entities = [NotificationLog];
  readonly outbox: string[] = [];
  loaded = false;

  onLoad(orm: MikroORM): void {
    this.loaded = true;
    if (process.env.OPS_APP_QUIET !== '1') console.log(`  [notify] onLoad (${orm.config.get('dbName')})`);
  }

  onUnload(): void {
    this.loaded = false;
    if (process.env.OPS_APP_QUIET !== '1') console.log(`  [notify] onUnload, ${this.outbox.length} queued`);
  }

  healthCheck(): HealthCheckResult {
    return { ok: true, message: `${this.outbox.length} queued` };
  }

  /** A real provider client would call the endpoint; this one rejects keys the way many clients do: quoting them. */
  testConnection(options: NotifyOptions): HealthCheckResult {
    if (process.env.OPS_APP_FAIL_CONNECTION === '1') throw new Error(`401 from ${options.endpoint}: invalid API key ${options.apiKey}`);
    return { ok: true };
  }

  @hook('afterChange')
  queue(_entity: object, changes: EntityChanges, ctx: HookContext<NotifyOptions>): void {
    this.outbox.push(`${ctx.options.channel}: ${changes.kind} ${ctx.meta.className}`);
  }
}
