// A NestJS application installs a third-party plugin with a service NestJS injects, hooks the
// plugin's custom events from its own plugin, and matches the plugin's error code.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { emit, hook, plugin, PluginError, pluginSystem, withPlugins } from 'mikro-orm-plugins';
import { RefundApprovalsPlugin, type Refund, type RefundPolicy } from './refund-approvals.js';

declare module 'mikro-orm-plugins' {
  interface PluginOptionsMap {
    fraudCheck: true;
  }
}

@Injectable()
class FinancePolicy implements RefundPolicy {
  limitFor(customer: string): number {
    return customer === 'acme' ? 500 : 100;
  }
  signature(): string {
    return 'approved by finance';
  }
}

/** The application's own plugin, on the third-party plugin's events: `requires` lets it hook them. */
@plugin({ name: 'fraudCheck', requires: ['refundApprovals'] })
class FraudCheckPlugin {
  @hook('approveRefund')
  notFlagged(refund: Refund): boolean {
    return refund.customer !== 'mallory';
  }

  @hook('refundNote')
  reference(refund: Refund, note: string): string {
    return `Refund #${refund.id}: ${note}`;
  }
}

@withPlugins(['refundApprovals', 'fraudCheck'])
@Entity()
class CustomerRefund implements Refund {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) customer!: string;
  @Property({ type: 'integer' }) amount!: number;
  @Property({ type: 'boolean' }) approved: boolean = false;
}

@Module({ providers: [FinancePolicy], exports: [FinancePolicy] })
class PolicyModule {}

@Module({
  imports: [
    MikroOrmModule.forRootAsync({
      imports: [PolicyModule],
      inject: [FinancePolicy],
      driver: SqliteDriver,
      useFactory: (policy: FinancePolicy) => ({
        dbName: ':memory:',
        entities: [CustomerRefund],
        extensions: [pluginSystem({ plugins: [() => new RefundApprovalsPlugin(policy), FraudCheckPlugin] })],
      }),
    }),
  ],
})
class AppModule {}

const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const orm = app.get(MikroORM);
await orm.schema.create();
const em = orm.em.fork();
const refund = em.create(CustomerRefund, { customer: 'acme', amount: 300, approved: false });
const other = em.create(CustomerRefund, { customer: 'mallory', amount: 20, approved: false });
await em.flush();

const approved = emit(em, 'approveRefund', refund, { amount: 300 });
const tooMuch = emit(em, 'approveRefund', refund, { amount: 900 });
const flagged = emit(em, 'approveRefund', other, { amount: 20 });
console.log(`acme 300: ${approved}, acme 900: ${tooMuch}, mallory 20: ${flagged}`);
if (approved !== true || tooMuch !== false || flagged !== false) throw new Error('expected the veto chain to allow only the first refund');

const note = emit(em, 'refundNote', refund, 'paid back');
console.log(note);
if (note !== 'Refund #1: paid back (approved by finance)') throw new Error(`unexpected note: ${note}`);

refund.approved = true;
await em.flush();
refund.amount = 450;
try {
  await em.flush();
  throw new Error('expected REFUND_LOCKED');
} catch (error) {
  if (!(error instanceof PluginError) || error.code !== 'REFUND_LOCKED') throw error;
  console.log(`${error.code} from ${error.plugin} on ${error.entity}`);
}
await app.close();
