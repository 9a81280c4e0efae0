import { TableNotFoundException, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { ChainStateOverrides, PluginRuntime } from '../../bridge/plugin-runtime.js';
import { PluginError } from '../../errors.js';
import type { ImplementationStateSource, PluginType } from '../plugin-types.js';
import { desiredRows } from './desired-rows.js';
import { GLOBAL, STATUSES, type PluginStateEntities, type PluginStatus } from './entities.js';
import { rowKey, sameSnapshot, type DesiredRow, type PluginStateRecord, type SyncOptions, type SyncReport } from './records.js';
import { syncRows } from './sync-rows.js';
import { bumpVersion, readVersion } from './version-counter.js';
import type { StateChangePublisher } from './publisher.js';
import { applyLiveOptions } from './live-options.js';
import { checkPriority, checkStatus, checkSyncMode, unknownRow } from './write-checks.js';

const RESTRICTIVENESS: Record<PluginStatus, number> = { active: 0, reserve: 1, disabled: 2 };

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
  /** The poll's read in progress: `close()` waits for it, so the ORM never closes its pool under it. */
  #polling: Promise<void> | undefined;
  #closed = false;
  #publisher: StateChangePublisher | undefined;
  readonly #listeners = new Set<() => void>();
  readonly #onError: (error: unknown) => void;

  constructor(runtime: PluginRuntime, entities: PluginStateEntities, em: () => EntityManager, types: () => readonly PluginType<any>[], onError: (error: unknown) => void = console.warn) {
    this.#runtime = runtime;
    this.entities = entities;
    this.#em = em;
    this.#types = types;
    this.#onError = onError;
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
    return this.#rows.get(rowKey(plugin, entity));
  }

  /** The effective stored status, or undefined when no row speaks for this plugin (and entity). */
  status(plugin: string, entity: string): PluginStatus | undefined {
    const global = this.#rows.get(rowKey(plugin, GLOBAL))?.status;
    const own = entity === GLOBAL ? undefined : this.#rows.get(rowKey(plugin, entity))?.status;
    if (global === undefined) return own;
    if (own === undefined) return global;
    return RESTRICTIVENESS[own] > RESTRICTIVENESS[global] ? own : global;
  }

  isActive(plugin: string, entity: string): boolean {
    const status = this.status(plugin, entity);
    return status === undefined || status === 'active';
  }

  priority(plugin: string, entity: string): number | undefined {
    const own = entity === GLOBAL ? null : (this.#rows.get(rowKey(plugin, entity))?.priority ?? null);
    return own ?? this.#rows.get(rowKey(plugin, GLOBAL))?.priority ?? undefined;
  }

  /** Called after every snapshot change. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  setPublisher(publisher: StateChangePublisher | undefined): void {
    this.#publisher = publisher;
  }

  /** Reads every row and the version. A missing table reads as no rows (code defaults) and `available = false`. */
  async load(): Promise<boolean> {
    const em = this.#em().fork();
    let rows: PluginStateRecord[];
    let version: number;
    try {
      version = await readVersion(em, this.entities);
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
      if ((wasAvailable || this.#rows.size > 0) && this.#replace([])) await this.#applyLiveOptions();
      return false;
    }
    this.#available = true;
    this.#version = version;
    if (this.#replace(rows)) await this.#applyLiveOptions();
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
      version = await readVersion(this.#em().fork(), this.entities);
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
      this.#polling = this.refresh()
        .then(
          () => undefined,
          error => {
            if (!this.#closed) onError(error);
          },
        )
        .finally(() => {
          this.#polling = undefined;
        });
    }, ms);
    this.#timer.unref?.();
  }

  stopPolling(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.stopPolling();
    await this.#polling;
  }

  /** Sets a plugin's (or implementation's) status for every entity (`*`) or one. Takes effect on this instance's next operation. */
  async setStatus(plugin: string, status: PluginStatus, entity: string = GLOBAL): Promise<PluginStateRecord> {
    checkStatus(plugin, status);
    return this.#write(plugin, entity, row => ({ ...row, status }));
  }

  /** Sets the priority that replaces the plugin's hook priorities (`null`: back to the code's, or to the `*` row's for an entity). */
  async setPriority(plugin: string, priority: number | null, entity: string = GLOBAL): Promise<PluginStateRecord> {
    checkPriority(plugin, priority);
    return this.#write(plugin, entity, row => ({ ...row, priority }));
  }

  /** Stores a plugin's checked options for one entity (`setPluginOptions`); every instance applies the live ones when it reads them. */
  async setOptions(plugin: string, entity: string, options: Record<string, unknown>): Promise<PluginStateRecord> {
    return this.#write(plugin, entity, row => ({ ...row, options }));
  }

  /** Brings the rows in line with the code. Idempotent: a second run changes nothing and bumps no version. */
  async sync(options: SyncOptions = {}): Promise<SyncReport> {
    const mode = options.mode ?? 'create';
    checkSyncMode(mode);
    await this.#requireTable();
    const publisher = this.#publisher;
    const onBump = publisher && ((em: EntityManager) => publisher.inTransaction(em));
    const attempt = () => this.#em().fork().transactional(em => syncRows(em, this.entities, this.#desired(), mode, Boolean(options.prune), options.onProgress, onBump));
    let report: SyncReport;
    try {
      report = await attempt();
    } catch (error) {
      await this.#tableGone(error);
      // Two instances syncing at once: one insert loses the race on the unique key. The retry sees the winner's rows.
      if (!isUniqueViolation(error)) throw error;
      report = await attempt();
    }
    if (report.inserted.length + report.updated.length + report.pruned.length > 0) await publisher?.afterCommit();
    await this.load();
    return report;
  }

  #desired(): Map<string, DesiredRow> {
    return desiredRows(this.#runtime, this.#types());
  }

  async #write(plugin: string, entity: string, change: (row: DesiredRow) => DesiredRow): Promise<PluginStateRecord> {
    await this.#requireTable();
    const want = this.#desired().get(rowKey(plugin, entity));
    if (!want) {
      const names = [...this.#runtime.registry.names(), ...this.#types().flatMap(t => t.implementations().map(i => i.key))];
      const attachedTo = [...this.#desired().values()].filter(row => row.plugin === plugin && row.entity !== GLOBAL).map(row => row.entity);
      throw unknownRow(plugin, entity, { names, attachedTo });
    }
    const { PluginState } = this.entities;
    const write = () =>
      this.#em()
        .fork()
        .transactional(async em => {
          const row = await em.findOne(PluginState, { plugin, entity });
          const current: DesiredRow = row
            ? { plugin, entity, status: row.status as PluginStatus, priority: row.priority ?? null, description: row.description ?? null, options: (row.options as Record<string, unknown>) ?? null }
            : want;
          const next = change(current);
          if (row) em.assign(row, { status: next.status, priority: next.priority, options: next.options, updatedAt: new Date() });
          else em.create(PluginState, { ...next, updatedAt: new Date() });
          await em.flush();
          await bumpVersion(em, this.entities);
          await this.#publisher?.inTransaction(em);
        });
    try {
      await write();
    } catch (error) {
      await this.#tableGone(error);
      if (!isUniqueViolation(error)) throw error;
      await write();
    }
    await this.#publisher?.afterCommit();
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

  /** Whether the snapshot changed. */
  #replace(rows: PluginStateRecord[]): boolean {
    const next = new Map(rows.map(r => [rowKey(r.plugin, r.entity), r]));
    if (sameSnapshot(this.#rows, next)) return false;
    this.#rows = next;
    this.#changes++;
    this.#runtime.invalidate();
    for (const listener of this.#listeners) listener();
    return true;
  }

  /** Live option edits in the rows reach the running plugins (src/operations/state/live-options.ts). */
  #applyLiveOptions(): Promise<void> {
    const metadata = this.#em().getMetadata();
    return applyLiveOptions({ runtime: this.#runtime, row: (plugin, entity) => this.row(plugin, entity), metaOf: entity => metadata.getByClassName(entity, false), onError: this.#onError });
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof UniqueConstraintViolationException;
}
