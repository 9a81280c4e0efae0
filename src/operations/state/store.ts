import { raw, TableNotFoundException, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { PluginConfigError, PluginError } from '../../errors.js';
import type { ChainStateOverrides, PluginRuntime } from '../../bridge/plugin-runtime.js';
import { stripSecrets } from '../option-schema.js';
import type { ImplementationStateSource, PluginType } from '../plugin-types.js';
import { GLOBAL, STATUSES, type PluginStateEntities, type PluginStatus } from './entities.js';

/** One row of `plugin_state`, as read. */
export interface PluginStateRecord {
  readonly plugin: string;
  readonly entity: string;
  readonly status: PluginStatus;
  readonly priority: number | null;
  readonly description: string | null;
  readonly options: Record<string, unknown> | null;
  readonly updatedAt: Date;
}

export type SyncMode = 'create' | 'update';

export interface SyncOptions {
  /** `create` (default) inserts missing rows and leaves existing ones alone; `update` also refreshes priority, description and options from code. */
  mode?: SyncMode;
  /** Remove rows of plugins (and plugin/entity pairs) that no longer exist. Default false. */
  prune?: boolean;
}

export interface SyncReport {
  readonly inserted: readonly string[];
  readonly updated: readonly string[];
  readonly pruned: readonly string[];
}

interface Desired {
  plugin: string;
  entity: string;
  status: PluginStatus;
  priority: number | null;
  description: string | null;
  options: Record<string, unknown> | null;
}

const RESTRICTIVENESS: Record<PluginStatus, number> = { active: 0, reserve: 1, disabled: 2 };
const keyOf = (plugin: string, entity: string) => `${plugin}\u0000${entity}`;
const label = (plugin: string, entity: string) => (entity === GLOBAL ? plugin : `${plugin} @ ${entity}`);

/**
 * An ORM's view of `plugin_state`: an in-memory snapshot the chains read synchronously
 * (`ChainStateOverrides`), refreshed after every change made here and, for changes made by other
 * instances, when the version counter moves (polled).
 *
 * Rules: a plugin runs on an entity when both its `*` row and its entity row (where present) are
 * `active` (the more restrictive status wins); priority comes from the entity row, else the `*`
 * row, else the code. No row means the code's defaults.
 */
export class PluginStateStore implements ChainStateOverrides, ImplementationStateSource {
  readonly entities: PluginStateEntities;
  readonly #runtime: PluginRuntime;
  readonly #em: () => EntityManager;
  readonly #types: () => readonly PluginType<any>[];
  #rows = new Map<string, PluginStateRecord>();
  #version: number | undefined;
  #available = false;
  #changes = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #polling = false;
  #closed = false;
  readonly #listeners = new Set<() => void>();

  constructor(runtime: PluginRuntime, entities: PluginStateEntities, em: () => EntityManager, types: () => readonly PluginType<any>[]) {
    this.#runtime = runtime;
    this.entities = entities;
    this.#em = em;
    this.#types = types;
  }

  /** Whether the table was there at the last read. */
  get available(): boolean {
    return this.#available;
  }

  /** The version counter seen at the last read (undefined before the first). */
  get version(): number | undefined {
    return this.#version;
  }

  /** Bumped whenever the snapshot changes. */
  get changes(): number {
    return this.#changes;
  }

  rows(): PluginStateRecord[] {
    return [...this.#rows.values()];
  }

  row(plugin: string, entity = GLOBAL): PluginStateRecord | undefined {
    return this.#rows.get(keyOf(plugin, entity));
  }

  /** The effective stored status, or undefined when no row speaks for this plugin (and entity). */
  status(plugin: string, entity: string): PluginStatus | undefined {
    const global = this.#rows.get(keyOf(plugin, GLOBAL))?.status;
    const own = entity === GLOBAL ? undefined : this.#rows.get(keyOf(plugin, entity))?.status;
    if (global === undefined) return own;
    if (own === undefined) return global;
    return RESTRICTIVENESS[own] > RESTRICTIVENESS[global] ? own : global;
  }

  isActive(plugin: string, entity: string): boolean {
    const status = this.status(plugin, entity);
    return status === undefined || status === 'active';
  }

  priority(plugin: string, entity: string): number | undefined {
    const own = entity === GLOBAL ? null : (this.#rows.get(keyOf(plugin, entity))?.priority ?? null);
    return own ?? this.#rows.get(keyOf(plugin, GLOBAL))?.priority ?? undefined;
  }

  /** Called after every snapshot change. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads every row and the version. A missing table reads as no rows (code defaults) and `available = false`. */
  async load(): Promise<boolean> {
    const em = this.#em().fork();
    let rows: PluginStateRecord[];
    let version: number;
    try {
      version = await this.#readVersion(em);
      rows = (await em.find(this.entities.PluginState, {}, { orderBy: { id: 'asc' } })).map(r => ({
        plugin: r.plugin,
        entity: r.entity,
        status: (STATUSES as readonly string[]).includes(r.status) ? (r.status as PluginStatus) : 'disabled',
        priority: r.priority ?? null,
        description: r.description ?? null,
        options: (r.options as Record<string, unknown> | null) ?? null,
        updatedAt: r.updatedAt,
      }));
    } catch (error) {
      if (!(error instanceof TableNotFoundException)) throw error;
      const wasAvailable = this.#available;
      this.#available = false;
      this.#version = undefined;
      if (wasAvailable || this.#rows.size > 0) this.#replace([]);
      return false;
    }
    this.#available = true;
    this.#version = version;
    this.#replace(rows);
    return true;
  }

  /** Re-reads the rows when the version counter moved since the last read (or always, with `force`). Returns whether it did. */
  async refresh(force = false): Promise<boolean> {
    if (force) {
      await this.load();
      return true;
    }
    let version: number;
    try {
      version = await this.#readVersion(this.#em().fork());
    } catch (error) {
      if (error instanceof TableNotFoundException) return this.#available ? (await this.load(), true) : false;
      throw error;
    }
    if (this.#available && version === this.#version) return false;
    await this.load();
    return true;
  }

  /** Polls the version counter every `ms` (the bound on how late another instance's change is seen). */
  startPolling(ms: number, onError: (error: unknown) => void): void {
    this.stopPolling();
    if (!(ms > 0)) return;
    this.#timer = setInterval(() => {
      if (this.#polling || this.#closed) return;
      this.#polling = true;
      this.refresh()
        .catch(error => {
          if (!this.#closed) onError(error);
        })
        .finally(() => {
          this.#polling = false;
        });
    }, ms);
    this.#timer.unref?.();
  }

  stopPolling(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  close(): void {
    this.#closed = true;
    this.stopPolling();
  }

  /** Sets a plugin's (or implementation's) status for every entity (`*`) or one. Takes effect on this instance's next operation. */
  async setStatus(plugin: string, status: PluginStatus, entity: string = GLOBAL): Promise<PluginStateRecord> {
    if (!STATUSES.includes(status)) {
      throw new PluginConfigError('MOP_INVALID_OPTIONS', `Status must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(status)}`, { plugin });
    }
    return this.#write(plugin, entity, row => ({ ...row, status }));
  }

  /** Sets the priority that replaces the plugin's hook priorities (`null`: back to the code's, or to the `*` row's for an entity). */
  async setPriority(plugin: string, priority: number | null, entity: string = GLOBAL): Promise<PluginStateRecord> {
    if (priority !== null && !Number.isInteger(priority)) {
      throw new PluginConfigError('MOP_INVALID_OPTIONS', `Priority must be an integer, got ${JSON.stringify(priority)}`, { plugin });
    }
    return this.#write(plugin, entity, row => ({ ...row, priority }));
  }

  /** Brings the rows in line with the code. Idempotent: a second run changes nothing and bumps no version. */
  async sync(options: SyncOptions = {}): Promise<SyncReport> {
    const mode = options.mode ?? 'create';
    if (mode !== 'create' && mode !== 'update') throw new PluginConfigError('MOP_INVALID_OPTIONS', `sync mode must be 'create' or 'update', got ${JSON.stringify(mode)}`);
    await this.#requireTable();
    const attempt = async (): Promise<SyncReport> => {
      const desired = this.#desired();
      const { PluginState } = this.entities;
      return this.#em()
        .fork()
        .transactional(async em => {
          const existing = await em.find(PluginState, {});
          const byKey = new Map(existing.map(r => [keyOf(r.plugin, r.entity), r]));
          const inserted: string[] = [];
          const updated: string[] = [];
          const pruned: string[] = [];
          const now = new Date();
          for (const [key, want] of desired) {
            const row = byKey.get(key);
            if (!row) {
              em.create(PluginState, { ...want, updatedAt: now });
              inserted.push(label(want.plugin, want.entity));
            } else if (mode === 'update') {
              const same = row.priority === want.priority && (row.description ?? null) === want.description && sameJson(row.options ?? null, want.options);
              if (!same) {
                em.assign(row, { priority: want.priority, description: want.description, options: want.options, updatedAt: now });
                updated.push(label(want.plugin, want.entity));
              }
            }
          }
          if (options.prune) {
            for (const row of existing) {
              if (desired.has(keyOf(row.plugin, row.entity))) continue;
              em.remove(row);
              pruned.push(label(row.plugin, row.entity));
            }
          }
          await em.flush();
          if (inserted.length + updated.length + pruned.length > 0) await this.#bump(em);
          else await this.#ensureVersionRow(em);
          return { inserted, updated, pruned };
        });
    };
    let report: SyncReport;
    try {
      report = await attempt();
    } catch (error) {
      await this.#tableGone(error);
      // Two instances syncing at once: one insert loses the race on the unique key. The retry sees the winner's rows.
      if (!isUniqueViolation(error)) throw error;
      report = await attempt();
    }
    await this.load();
    return report;
  }

  /** What the code says the rows should be: one `*` row per plugin and implementation, one per plugin an entity uses. */
  #desired(): Map<string, Desired> {
    const desired = new Map<string, Desired>();
    const registry = this.#runtime.registry;
    for (const name of registry.names()) {
      const definition = registry.definition(name)!;
      desired.set(keyOf(name, GLOBAL), {
        plugin: name,
        entity: GLOBAL,
        status: 'active',
        priority: codePriority(definition.hooks.map(h => h.priority)),
        description: definition.description || null,
        options: null,
      });
    }
    for (const [entity, attached] of this.#runtime.attachments()) {
      for (const { plugin, options } of attached) {
        desired.set(keyOf(plugin, entity), {
          plugin,
          entity,
          status: 'active',
          priority: null,
          description: registry.definition(plugin)?.description || null,
          options: jsonSafe(stripSecrets(registry.definition(plugin)?.options, options)) as Record<string, unknown> | null,
        });
      }
    }
    for (const type of this.#types()) {
      for (const impl of type.implementations()) {
        desired.set(keyOf(impl.key, GLOBAL), {
          plugin: impl.key,
          entity: GLOBAL,
          status: impl.codeStatus,
          priority: impl.codePriority,
          description: impl.description || null,
          options: null,
        });
      }
    }
    return desired;
  }

  async #write(plugin: string, entity: string, change: (row: Desired) => Desired): Promise<PluginStateRecord> {
    await this.#requireTable();
    const want = this.#desired().get(keyOf(plugin, entity));
    if (!want) {
      const known = this.#runtime.registry.has(plugin) || this.#types().some(t => t.implementations().some(i => i.key === plugin));
      if (!known) throw new PluginConfigError('MOP_UNKNOWN_PLUGIN', `No plugin or implementation named '${plugin}' is registered`, { plugin });
      throw new PluginConfigError('MOP_UNKNOWN_ENTITY', `Plugin '${plugin}' is not attached to entity '${entity}'`, { plugin, entity });
    }
    const { PluginState } = this.entities;
    const write = () =>
      this.#em()
        .fork()
        .transactional(async em => {
          const row = await em.findOne(PluginState, { plugin, entity });
          const current: Desired = row
            ? { plugin, entity, status: row.status as PluginStatus, priority: row.priority ?? null, description: row.description ?? null, options: (row.options as Record<string, unknown>) ?? null }
            : want;
          const next = change(current);
          if (row) em.assign(row, { status: next.status, priority: next.priority, updatedAt: new Date() });
          else em.create(PluginState, { ...next, updatedAt: new Date() });
          await em.flush();
          await this.#bump(em);
        });
    try {
      await write();
    } catch (error) {
      await this.#tableGone(error);
      if (!isUniqueViolation(error)) throw error;
      await write();
    }
    await this.load();
    return this.row(plugin, entity)!;
  }

  /** The table may have been created since the last read (schema update, migrations): look again before giving up. */
  async #requireTable(): Promise<void> {
    if (this.#available || (await this.load())) return;
    const table = this.#em().getMetadata().get(this.entities.PluginState).tableName;
    throw new PluginError(
      'MOP_STATE_UNAVAILABLE',
      `The plugin state table '${table}' does not exist (or has not been read yet): create it with your migrations or orm.schema.update(), then run sync`,
    );
  }

  /** The table went away since the last read (dropped under a running app): say so in this package's terms. */
  async #tableGone(error: unknown): Promise<void> {
    if (!(error instanceof TableNotFoundException)) return;
    await this.load();
    await this.#requireTable();
  }

  async #readVersion(em: EntityManager): Promise<number> {
    const row = await em.findOne(this.entities.PluginStateVersion, { id: 1 }, { disableIdentityMap: true });
    return row?.version ?? 0;
  }

  /** Atomic `version = version + 1` (a read-modify-write could lose one instance's change to another's). */
  async #bump(em: EntityManager): Promise<void> {
    const column = em.getPlatform().quoteIdentifier('version');
    const count = await em.nativeUpdate(this.entities.PluginStateVersion, { id: 1 }, { version: raw(`${column} + 1`) });
    if (count === 0) await em.insert(this.entities.PluginStateVersion, { id: 1, version: 1 });
  }

  async #ensureVersionRow(em: EntityManager): Promise<void> {
    const exists = await em.count(this.entities.PluginStateVersion, { id: 1 });
    if (exists === 0) await em.insert(this.entities.PluginStateVersion, { id: 1, version: 0 });
  }

  #replace(rows: PluginStateRecord[]): void {
    const next = new Map(rows.map(r => [keyOf(r.plugin, r.entity), r]));
    if (sameSnapshot(this.#rows, next)) return;
    this.#rows = next;
    this.#changes++;
    this.#runtime.invalidate();
    for (const listener of this.#listeners) listener();
  }
}

/** The priority a plugin's `*` row gets from code: the one its hooks share, or null (keep each hook's) when they differ. */
export function codePriority(priorities: readonly number[]): number | null {
  const unique = new Set(priorities);
  return unique.size === 1 ? [...unique][0]! : null;
}

function sameSnapshot(a: Map<string, PluginStateRecord>, b: Map<string, PluginStateRecord>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, row] of a) {
    const other = b.get(key);
    if (!other || other.status !== row.status || other.priority !== row.priority || other.description !== row.description || !sameJson(other.options, row.options)) return false;
  }
  return true;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.keys(value).sort().map(k => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof UniqueConstraintViolationException;
}

/** Options as JSON: functions, class instances (a zod schema…) and cycles become short markers. */
export function jsonSafe(value: unknown, seen = new Set<object>()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'undefined') return undefined;
  if (typeof value === 'function') return '[function]';
  if (typeof value !== 'object') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map(v => jsonSafe(v, seen) ?? null);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return `[${(value as object).constructor?.name ?? 'object'}]`;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const safe = jsonSafe(v, seen);
      if (safe !== undefined) out[k] = safe;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
