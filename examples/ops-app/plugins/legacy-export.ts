import { hook, plugin } from 'mikro-orm-plugins';

/** Found by directory discovery, used by no entity: `doctor` reports it as an unused registration. */
@plugin({ name: 'legacyExport', version: '0.1.0', description: 'Exports rows to the old system (retired).' })
export class LegacyExportPlugin {
  @hook('afterCreate')
  export(): void {}
}
