import { columnsIssues, type OptionIssue } from '../../core.js';

/** What `em.remove()` (and `em.nativeDelete`) does to an entity using the softDelete plugin, after django-safedelete. */
export type DeletePolicy = 'soft' | 'softCascade' | 'hard' | 'noDelete';

/** What a read shows for a relation whose target row is soft-deleted. */
export type DeletedTargetMode = 'null' | 'hide';

export interface SoftDeleteOptions {
  /** Property holding the deletion time; `null` means live. Default `deletedAt`. */
  field: string;
  /**
   * Unique constraints that ignore soft-deleted rows: `['email']` or `[['tenant', 'slug']]`.
   * A partial index on PostgreSQL and SQLite; on MariaDB, which has none, a generated column.
   */
  unique: readonly (string | readonly string[])[];
  /**
   * - `soft` (default): the row stays, with `field` set; rows MikroORM cascades `em.remove()` to
   *   (loaded, `Cascade.Remove`) join its batch;
   * - `softCascade`: also soft-deletes the live rows of the cascade relations, loaded or not, in
   *   the same batch; each follows its own policy (a `softCascade` child cascades further);
   * - `hard`: the row is really deleted, with the rows of its cascade relations (soft-deleted ones
   *   included); hooks still fire;
   * - `noDelete`: every delete is refused with `DeleteRefusedError`.
   */
  policy: DeletePolicy;
  /**
   * Relations a delete follows besides those marked `Cascade.Remove` (which it always follows, as
   * MikroORM does): soft cascade, batch restore and hard cascade. A many-to-many one takes every
   * related row, shared ones included; its pivot rows stay. Checked at start-up.
   */
  cascade: readonly string[];
  /**
   * Property holding the id of the deletion batch (one soft delete and what it cascaded to), or
   * `false` for none: then a cascade restore (`restore(em, entity, { cascade: true })`) cannot tell
   * which rows a delete took with it, and restores the entity alone. Default `deletionBatch`.
   */
  batchField: string | false;
  /** Property holding the actor (`runWithContext({ actor })`) who soft-deleted the row, or `false` for none. Default `false`. */
  deletedBy: string | false;
  /**
   * How reads of this entity treat each relation whose target is soft-deleted, by relation name:
   * `null` keeps this row and hydrates the relation to null (the default, for nullable and NOT NULL
   * foreign keys alike); `hide` leaves this row out (MikroORM's `strict` filters).
   */
  deletedTargets: Readonly<Record<string, DeletedTargetMode>>;
  /**
   * The mode of every to-one relation that points at this entity, for owners that do not name it in
   * their own `deletedTargets` (owners without softDelete included). Default `null`.
   */
  referrers: DeletedTargetMode;
  /** Whether the `field` column gets an index (reads filter on it). Default `true`. */
  index?: boolean | undefined;
  /**
   * Column names of the properties the plugin adds, by property name: `{ deletedAt: 'removed_on' }`.
   * Default: the naming strategy's (`deleted_at`, `deletion_batch`, `deleted_by`).
   */
  columns?: Readonly<Record<string, string>> | undefined;
}

const POLICIES: readonly DeletePolicy[] = ['soft', 'softCascade', 'hard', 'noDelete'];
const TARGET_MODES: readonly DeletedTargetMode[] = ['null', 'hide'];

export const SOFT_DELETE_DEFAULTS: SoftDeleteOptions = {
  field: 'deletedAt',
  unique: [],
  policy: 'soft',
  cascade: [],
  batchField: 'deletionBatch',
  deletedBy: false,
  deletedTargets: {},
  referrers: 'null',
};

const isName = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isNameList = (value: unknown): value is readonly string[] => Array.isArray(value) && value.every(isName);

/** Shape checks; the relation names are checked against the entity in `setupEntity`, where its metadata is known. */
export function validateSoftDeleteOptions(o: SoftDeleteOptions): OptionIssue[] {
  const issues: OptionIssue[] = [];
  if (!isName(o.field)) issues.push({ option: 'field', expected: 'a property name' });
  if (!(Array.isArray(o.unique) && o.unique.every(u => isName(u) || (isNameList(u) && u.length > 0)))) {
    issues.push({ option: 'unique', expected: "a list of property names or of lists of them, e.g. ['email'] or [['tenant', 'slug']]" });
  }
  if (!POLICIES.includes(o.policy)) issues.push({ option: 'policy', expected: `one of ${POLICIES.map(p => `'${p}'`).join(', ')}` });
  if (!isNameList(o.cascade)) issues.push({ option: 'cascade', expected: "a list of relation names, e.g. ['books']" });
  if (o.batchField !== false && !isName(o.batchField)) issues.push({ option: 'batchField', expected: "a property name, e.g. 'deletionBatch', or false" });
  if (o.deletedBy !== false && !isName(o.deletedBy)) issues.push({ option: 'deletedBy', expected: "a property name, e.g. 'deletedBy', or false" });
  const names = [o.field, o.batchField, o.deletedBy].filter(isName);
  if (new Set(names).size < names.length) issues.push({ option: 'batchField', expected: 'field, batchField and deletedBy to name three different properties' });
  if (o.index !== undefined && typeof o.index !== 'boolean') issues.push({ option: 'index', expected: 'true or false' });
  if (o.columns !== undefined) issues.push(...columnsIssues(o.columns, names));
  const targets = o.deletedTargets as unknown;
  if (targets === null || typeof targets !== 'object' || Array.isArray(targets)) {
    issues.push({ option: 'deletedTargets', expected: "an object of relation name to 'null' or 'hide'" });
  } else {
    for (const [relation, mode] of Object.entries(targets)) {
      if (!TARGET_MODES.includes(mode as DeletedTargetMode)) issues.push({ option: `deletedTargets.${relation}`, expected: "'null' or 'hide'" });
    }
  }
  if (!TARGET_MODES.includes(o.referrers)) issues.push({ option: 'referrers', expected: "'null' or 'hide'" });
  return issues;
}
