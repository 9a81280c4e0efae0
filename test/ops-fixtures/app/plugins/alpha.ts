import { defineEntity, p, type MikroORM } from '@mikro-orm/core';
import { plugin } from '../../../../src/index.js';
import { events, seen } from '../../log.js';

/** A table this plugin contributes. */
export const OpsAlphaRecord = defineEntity({
  name: 'OpsAlphaRecord',
  properties: { id: p.integer().primary().autoincrement(), note: p.string() },
});

@plugin({ name: 'opsAlpha', registry: false })
export class AlphaPlugin {
  static entities = [OpsAlphaRecord];
  onLoad(orm: MikroORM) {
    events.push(`load:${seen('opsAlpha', orm)}`);
  }
  onUnload() {
    events.push('unload:opsAlpha');
  }
  beforeCreate() {
    events.push('hook:opsAlpha');
  }
}
