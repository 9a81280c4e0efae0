import { MikroORM, type Options } from '@mikro-orm/core';
import { invalidArgument, PluginError } from '../errors.js';
import { inspectionOperations, setOperationsCliMode } from './extension.js';
import { scrubSecrets } from '../registry/secrets.js';
import { messageOf } from '../registry/plugin-meta.js';
import { checkDoctorOptions, doctor } from './doctor.js';
import { startupFinding, startupFindings, type DoctorOptions, type DoctorReport } from './doctor-findings.js';
import { StartupInspection } from './startup-inspection.js';

/**
 * `doctor` for an app's MikroORM config, as the CLI runs it: starts the ORM for inspection (every
 * entity's plugin and option errors collected instead of the first thrown; no start-up sync,
 * polling or `onLoad`), runs `doctor`, closes it. When the ORM cannot start at all, the report has
 * what was collected up to then and why it stopped.
 */
export async function doctorConfig(options: Options, doctorOptions: DoctorOptions = {}): Promise<DoctorReport> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidArgument('doctorConfig', 'options', 'the MikroORM options', options);
  if (options.extensions !== undefined && !Array.isArray(options.extensions)) throw invalidArgument('doctorConfig', 'options.extensions', 'a list of extensions', options.extensions);
  checkDoctorOptions('doctorConfig', doctorOptions);
  const extensions = [...((options.extensions ?? []) as { name?: string }[])];
  if (!extensions.some(e => e?.name === 'mikro-orm-plugins')) {
    throw new PluginError('MOP_NOT_INSTALLED', 'the MikroORM config has no pluginSystem() in `extensions`');
  }
  if (!extensions.some(e => e?.name === 'mikro-orm-plugins:operations')) extensions.push(inspectionOperations());
  const inspection = new StartupInspection();
  // Last, so it wraps every other extension's set-up of each entity.
  extensions.push(inspection.extension());

  let orm: MikroORM;
  const previous = setOperationsCliMode(true);
  try {
    orm = await MikroORM.init({ ...options, extensions: extensions as Options['extensions'] });
  } catch (error) {
    // Discovery may have connected (reading the plugin state) before a later step failed.
    await inspection.orm?.driver.close(true).catch(() => undefined);
    const findings = startupFindings(inspection);
    if (!(error instanceof PluginError && inspection.errors.includes(error))) {
      const why = 'the ORM does not start: ';
      findings.push(error instanceof PluginError ? startupFinding(error, 'startup', why) : { level: 'error', check: 'startup', message: why + messageOf(error) });
    }
    return { ok: false, findings: findings.map(f => ({ ...f, message: scrubSecrets(f.message, inspection.secrets) })) };
  } finally {
    setOperationsCliMode(previous);
  }
  try {
    return await doctor(orm, doctorOptions);
  } finally {
    await orm.close(true);
  }
}
