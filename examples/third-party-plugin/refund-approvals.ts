// A third-party plugin, as a package `acme-refund-approvals` would publish it. It imports only the
// plugin API (`mikro-orm-plugins/core`), declares its own error codes and custom events with their
// kinds, and takes the service it needs in its constructor.
import { defineErrorCodes, hook, plugin, PluginError, type ErrorCodesOf, type HookContext } from 'mikro-orm-plugins/core';

export const REFUND_ERRORS = defineErrorCodes('refundApprovals', {
  REFUND_LOCKED: 'at run time: an approved refund’s amount was changed',
});

declare module 'mikro-orm-plugins/core' {
  interface PluginErrorCodes extends ErrorCodesOf<typeof REFUND_ERRORS> {}
  interface CustomHookEvents {
    approveRefund: { amount: number };
    refundNote: string;
  }
  interface CustomEventKinds {
    approveRefund: 'veto';
    refundNote: 'waterfall';
  }
  interface PluginOptionsMap {
    refundApprovals: true;
  }
}

/** What the plugin needs from the application: it decides the limits, the plugin enforces them. */
export interface RefundPolicy {
  limitFor(customer: string): number;
  signature(): string;
}

export interface Refund {
  id: number;
  customer: string;
  amount: number;
  approved: boolean;
}

@plugin({ name: 'refundApprovals', version: '1.0.0', package: 'acme-refund-approvals', events: { approveRefund: 'veto', refundNote: 'waterfall' } })
export class RefundApprovalsPlugin {
  constructor(private readonly policy: RefundPolicy) {}

  /** Veto: `emit(em, 'approveRefund', refund, { amount })` is false when any hook says no. */
  @hook('approveRefund')
  withinLimit(refund: Refund, request: { amount: number }): boolean {
    return request.amount <= this.policy.limitFor(refund.customer);
  }

  /** Waterfall: each hook gets the note the previous one returned. */
  @hook('refundNote', { priority: 100 })
  signed(_refund: Refund, note: string): string {
    return `${note} (${this.policy.signature()})`;
  }

  @hook('beforeUpdate')
  locked(refund: Refund, ctx: HookContext): void {
    if (refund.approved && ctx.changeSet?.payload.amount !== undefined) {
      throw new PluginError('REFUND_LOCKED', `Refund #${refund.id} is approved; its amount cannot change`, { plugin: ctx.plugin, entity: ctx.meta.className });
    }
  }
}
