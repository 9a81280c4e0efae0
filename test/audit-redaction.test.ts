import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { AuditPlugin, auditLog, history, stateAt } from '../src/audit.js';
import { hardDelete, pluginSystem, PluginRegistry, restore, SoftDeletePlugin, TimestampPlugin, type PluginError } from '../src/index.js';
import { auditTableText, recordingSink } from './support/audit-support.js';
import { describeEachDatabase, type TestOrm } from './support/databases.js';

@Entity()
class VaultAccount {
  static plugins = [{ audit: { redact: ['apiKey', 'profile'] } }, 'softDelete', 'timestamp'];
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) owner!: string;
  @Property({ type: 'string' }) apiKey!: string;
  @Property({ type: 'json', nullable: true }) profile?: { pin: string } | null;
  @Property({ type: 'integer' }) logins: Opt<number> = 0;
}

const SECRETS = ['sk-first-8f2a91', 'sk-second-77c3d0', 'pin-4412-xyz'];
const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin, audit: AuditPlugin });

/** Every message and serialisable field of an error and its causes. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e; e = (e as { cause?: unknown }).cause) {
    parts.push(String((e as Error).message ?? e), String((e as Error).stack ?? ''));
    try {
      parts.push(JSON.stringify(e));
    } catch {
      // circular: the messages are enough
    }
  }
  return parts.join('\n');
}

const expectNoSecret = (text: string) => {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
};

describeEachDatabase('audit: redaction', db => {
  let orm: TestOrm;
  const sink = recordingSink();
  const errors: PluginError[] = [];
  // A careless sink: its error message carries the whole record it got.
  const chatty = {
    name: 'chatty',
    write: (record: unknown) => {
      throw new Error(`could not ship ${JSON.stringify(record)}`);
    },
  };

  beforeEach(async () => {
    sink.records.length = 0;
    errors.length = 0;
    orm = await db.init({
      entities: [VaultAccount],
      extensions: [pluginSystem({ registry, onError: e => errors.push(e) }), auditLog({ sinks: [sink, chatty] })],
    });
  });
  afterEach(() => orm.close());

  test('no audit column, sink payload, history, stateAt or error holds a redacted value', async () => {
    const em = orm.em.fork();
    const account = em.create(VaultAccount, { owner: 'ada', apiKey: SECRETS[0]!, profile: { pin: SECRETS[2]! } });
    await em.flush();
    account.apiKey = SECRETS[1]!;
    await em.flush();
    account.logins = 3;
    await em.flush();
    em.remove(account);
    await em.flush();
    restore(em, account);
    await em.flush();
    await hardDelete(em, account);

    // The values did reach the database, so a missing secret below is redaction, not absence.
    const text = await auditTableText(orm);
    expect(text).toContain('[redacted]');
    expect(text).toContain('ada');
    expectNoSecret(text);

    expect(sink.records.map(r => r.operation)).toEqual(['create', 'update', 'update', 'softDelete', 'restore', 'delete']);
    expect(sink.records[1]!.changes).toEqual({ apiKey: ['[redacted]', '[redacted]'], updatedAt: expect.any(Array) });
    expectNoSecret(JSON.stringify(sink.records));

    expect(errors).toHaveLength(6);
    expect(errors.every(e => e.code === 'MOP_AUDIT_SINK_FAILED')).toBe(true);
    expectNoSecret(errors.map(errorText).join('\n'));

    const fork = orm.em.fork();
    expectNoSecret(JSON.stringify(await history(fork, VaultAccount, account.id)));
    const before = await stateAt(fork, VaultAccount, account.id, sink.records[4]!.recordedAt);
    expect(before).toMatchObject({ owner: 'ada', apiKey: '[redacted]', profile: '[redacted]', logins: 3 });
    expectNoSecret(JSON.stringify(before));
  });

  test('when the audit insert itself fails, the error that rolls the flush back holds no redacted value', async () => {
    const em = orm.em.fork();
    const account = em.create(VaultAccount, { owner: 'grace', apiKey: 'harmless' });
    await em.flush();
    await orm.em.getConnection().execute(`drop table ${orm.em.getPlatform().quoteIdentifier('audit_log')}`);
    account.apiKey = SECRETS[0]!;
    account.profile = { pin: SECRETS[2]! };
    const error = await em.flush().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'MOP_HOOK_FAILED', plugin: 'audit' });
    const text = errorText(error);
    expect(text).toMatch(/audit_log/);
    // Drivers that quote the failing statement (MariaDB) show the row as it was sent: redacted.
    if (/insert into/i.test(text)) expect(text).toContain('[redacted]');
    expectNoSecret(text);
    const [row] = await orm.em.getConnection().execute(`select api_key from ${orm.em.getPlatform().quoteIdentifier('vault_account')}`);
    expect(row.api_key).toBe('harmless');
  });
});
