import type { MikroORM } from '@mikro-orm/core';
import { plugin } from '../../../../src/index.js';
import { events, faults } from '../../log.js';

@plugin({ name: 'opsBeta', registry: false })
export default class BetaPlugin {
  async onLoad(_orm: MikroORM) {
    await Promise.resolve();
    if (faults.betaLoad) throw new Error('beta cannot start');
    events.push('load:opsBeta');
  }
  async onUnload() {
    events.push('unload:opsBeta');
  }
}
