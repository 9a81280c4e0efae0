import { plugin } from '../../../../src/index.js';
import { events } from '../../log.js';

@plugin({ name: 'opsZeta', registry: false })
export class ZetaPlugin {
  onLoad() {
    events.push('load:opsZeta');
  }
  onUnload() {
    events.push('unload:opsZeta');
  }
}

export class NotAPlugin {}
