export { OPERATIONS_ERRORS, OptionNotLiveError } from './errors.js';
export { pluginOperations, operationsOf, type PluginOperationsOptions, type PluginStateOptions } from './extension.js';
export { pluginStatePropagation } from './state-propagation.js';
export type { PluginStatePropagation, PluginStateNotifyOptions, RedisNotifyClient } from './notify/notify-options.js';
export { GLOBAL as ALL_ENTITIES, PLUGIN_STATE_ENTITY, PLUGIN_STATE_VERSION_ENTITY, type PluginStatus } from './state/entities.js';
export type { PluginStateRecord, SyncMode, SyncOptions, SyncReport } from './state/records.js';
export {
  syncPluginState,
  setPluginStatus,
  enablePlugin,
  disablePlugin,
  setPluginPriority,
  readPluginState,
  refreshPluginState,
  pluginStateEntities,
  type StateTarget,
} from './plugin-state.js';
export { MASK, maskUrl, scrubSecrets } from '../registry/secrets.js';
export { toJsonSchema, optionsJsonSchema, type JsonSchema } from './options-json-schema.js';
export { maskOptions } from './masked-options.js';
export { explainChains, type ExplainedChain, type ExplainedHook, type ExplainOptions, type OrderRule } from './explain.js';
export { formatExplainText, formatExplainMermaid } from './explain-format.js';
export { listPlugins, type PluginInventory, type PluginListing, type EntityUse, type TypeListing, type ImplementationListing } from './list-plugins.js';
export { doctor } from './doctor.js';
export { checkPluginHealth, testPluginConnection, scrubOrmSecrets, type PluginCheckResult, type PluginCheckOptions } from './plugin-checks.js';
export { checkPluginOptions, setPluginOptions, type OptionEditIssue, type OptionEditResult } from './plugin-options-edit.js';
export type { DoctorReport, DoctorFinding, DoctorOptions, FindingCheck, FindingLevel } from './doctor-findings.js';
export { doctorConfig } from './doctor-config.js';
export { reportStartupIssue } from './startup-inspection.js';
export {
  PluginType,
  definePluginType,
  getImplementation,
  findImplementation,
  pluginTypes,
  defaultSelector,
  type ImplementationInfo,
  type ImplementationOptions,
  type ImplementationSelector,
  type PluginTypeOptions,
} from './plugin-types.js';
export {
  loadPluginConfig,
  definePluginConfig,
  type PluginConfigFile,
  type LoadPluginConfigOptions,
  type LoadedPluginConfig,
  type LoadedPlugin,
} from './config-file.js';
