import type { PluginError, PluginErrorCode } from '../errors.js';
import type { StartupInspection } from './startup-inspection.js';

export type FindingLevel = 'error' | 'warning' | 'ok';
export type FindingCheck = 'startup' | 'health' | 'connection' | 'options' | 'column' | 'disabled' | 'unused' | 'state';

export interface DoctorFinding {
  readonly level: FindingLevel;
  readonly check: FindingCheck;
  readonly plugin?: string;
  readonly entity?: string;
  /** The option at fault (dotted path, `''` for the whole options object), for an invalid option. */
  readonly option?: string;
  /** The error code start-up would have thrown, for a start-up problem. */
  readonly code?: PluginErrorCode;
  readonly message: string;
}

export interface DoctorReport {
  /** No finding at level `error`. */
  readonly ok: boolean;
  readonly findings: readonly DoctorFinding[];
}

export interface DoctorOptions {
  /** Milliseconds each health check and connection test may take. Default 10000. */
  timeout?: number;
  /** Called before each health check and connection test, which may be slow (the CLI shows it on a terminal). */
  onProgress?: (step: string) => void;
}

/** One finding per start-up problem the inspection collected: entity, plugin and option named, secrets already masked. */
export function startupFindings(inspection: StartupInspection | undefined): DoctorFinding[] {
  return (inspection?.errors ?? []).map(error => startupFinding(error, error.code === 'MOP_INVALID_OPTIONS' ? 'options' : 'startup'));
}

/** A start-up error as a finding; the message without its `[code]` prefix (the code has a field of its own). */
export function startupFinding(error: PluginError, check: FindingCheck, prefix = ''): DoctorFinding {
  const message = prefix + error.message.replace(/^\[[A-Z_]+\] /, '');
  return {
    level: 'error',
    check,
    code: error.code,
    ...(error.entity !== undefined ? { entity: error.entity } : {}),
    ...(error.plugin !== undefined ? { plugin: error.plugin } : {}),
    ...(error.option !== undefined ? { option: error.option } : {}),
    message,
  };
}
