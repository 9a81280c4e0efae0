// Property: the errors the package raises or reports around audited writes never carry a redacted
// value. "Errors" here means what the package builds: errors thrown by its hooks and plugins
// (ValidationError, HookError wrapping a plugin's failure) and those given to `pluginSystem({ onError })`
// (AuditSinkError after a commit), with their codes, details and causes. The driver's own errors for a
// write it refuses are MikroORM's and quote the caller's SQL; they are out of scope, and no write here
// makes the database refuse one. Random writes (valid, invalid for the schema, refused by a plugin's
// hook, with a sink that is down or up) plant a new secret each; none may appear in any error, audit
// row or printed line.
import { defineEntity, p } from '@mikro-orm/core';
import fc from 'fast-check';
import { expect, test, vi } from 'vitest';
import { z } from 'zod';
import { AuditPlugin, auditLog, type AuditSink } from '../src/audit.js';
import { hook, plugin, pluginSystem, PluginError, PluginRegistry, ValidationPlugin } from '../src/index.js';
import { auditTableText } from './support/audit-support.js';
import { describeEachDatabase } from './support/databases.js';

declare module '../src/index.js' {
  interface PluginOptionsMap {
    guard: undefined;
  }
}

/** Refuses any update of a customer whose name says so, with its own fixed message. */
@plugin({ name: 'guard', registry: false })
class GuardPlugin {
  @hook('beforeUpdate')
  refuse(entity: { name: string }): void {
    if (entity.name === 'blocked') throw new Error('guard refused the update');
  }
}

const registry = new PluginRegistry().registerMany({ audit: AuditPlugin, validation: ValidationPlugin, guard: GuardPlugin });

// Zod's own messages for these checks name the rule ("must start with \"SECRET-\""), never the value.
const schema = z.object({ apiKey: z.string().startsWith('SECRET-'), pin: z.string().regex(/^SECRET-\d+$/) });

const Customer = defineEntity({
  name: 'RedactedErrorsCustomer',
  properties: { id: p.integer().primary(), name: p.string(), apiKey: p.string(), pin: p.string() },
});

type Write = 'valid' | 'invalidKey' | 'invalidPin' | 'guarded' | 'sinkDown' | 'sinkUp' | 'remove';

/** Everything an error shows: its text, code, details and the chain of its causes (any depth). */
function errorText(error: unknown, depth = 0): string {
  if (depth > 5 || error == null) return '';
  if (!(error instanceof Error)) return String(error);
  const own = { ...(error as unknown as Record<string, unknown>) };
  delete own.cause;
  return [String(error), error.stack ?? '', JSON.stringify(own, (_, v) => (v instanceof Error ? String(v) : v)), errorText(error.cause, depth + 1)].join('\n');
}

describeEachDatabase('redacted values never reach an error the package raises or reports', db => {
  test('random valid, invalid, refused and sink-failing writes: no secret in any error, audit row or printed line', async () => {
    const writes = fc.array(fc.constantFrom<Write>('valid', 'invalidKey', 'invalidPin', 'guarded', 'sinkDown', 'sinkUp', 'remove'), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(writes, async plan => {
        let sinkDown = false;
        const flaky: AuditSink = {
          name: 'flaky',
          write() {
            if (sinkDown) throw new Error('sink unreachable');
          },
        };
        const reported: unknown[] = [];
        const orm = await db.init({
          entities: [Customer],
          extensions: [
            pluginSystem({ registry, onError: error => void reported.push(error), entities: { RedactedErrorsCustomer: [{ audit: { redact: ['apiKey', 'pin'] } }, { validation: { schema } }, 'guard'] } }),
            auditLog({ sinks: [flaky] }),
          ],
        });
        const printed: string[] = [];
        const capture = (...args: unknown[]) => void printed.push(args.map(a => (a instanceof Error ? errorText(a) : typeof a === 'string' ? a : (JSON.stringify(a) ?? String(a)))).join(' '));
        const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map(level => vi.spyOn(console, level).mockImplementation(capture));
        const thrown: unknown[] = [];
        try {
          let n = 0;
          const secret = () => `SECRET-${++n}`;
          let em = orm.em.fork();
          let customer = em.create(Customer, { name: 'ada', apiKey: secret(), pin: secret() });
          await em.flush();
          for (const write of plan) {
            if (write === 'sinkDown' || write === 'sinkUp') {
              sinkDown = write === 'sinkDown';
              customer.apiKey = secret();
            } else if (write === 'valid') customer.pin = secret();
            // Secrets that fail the schema: they still start with the marker the checks look for.
            else if (write === 'invalidKey') customer.apiKey = `x${secret()}`;
            else if (write === 'invalidPin') customer.pin = `${secret()}!`;
            else if (write === 'guarded') [customer.name, customer.apiKey] = ['blocked', secret()];
            else if (write === 'remove') em.remove(customer);
            try {
              await em.flush();
            } catch (error) {
              thrown.push(error);
              // The failed flush leaves this context dirty: go on in a new one, from the database.
              em = orm.em.fork();
              customer = await em.findOneOrFail(Customer, customer.id);
              continue;
            }
            if (write === 'remove') {
              customer = em.create(Customer, { name: 'ada', apiKey: secret(), pin: secret() });
              await em.flush();
            }
          }
          // The refusals the plan asked for happened, typed: the secrets were where the errors come from.
          const expectedThrows = plan.filter(w => w === 'invalidKey' || w === 'invalidPin' || w === 'guarded').length;
          expect(thrown).toHaveLength(expectedThrows);
          for (const error of thrown) expect(error).toBeInstanceOf(PluginError);
          // A write while the sink is down is committed and its failure reported.
          if (plan.includes('sinkDown')) expect(reported.length).toBeGreaterThan(0);
          const everything = [...thrown, ...reported].map(e => errorText(e)).join('\n');
          expect(everything).not.toMatch(/SECRET-\d/);
          expect(printed.join('\n')).not.toMatch(/SECRET-\d/);
          expect(await auditTableText(orm)).not.toMatch(/SECRET-\d/);
        } finally {
          for (const spy of spies) spy.mockRestore();
          await orm.close();
        }
      }),
      { numRuns: db.name === 'sqlite' ? 30 : 8 },
    );
  }, 120_000);
});
