import { Injectable } from '@nestjs/common';
import { hook, plugin, type HookContext } from 'mikro-orm-plugins';

declare module 'mikro-orm-plugins' {
  interface PluginOptionsMap {
    createdNotice: true;
  }
}

/** An ordinary NestJS service. */
@Injectable()
export class Notifier {
  readonly sent: string[] = [];

  send(message: string): void {
    this.sent.push(message);
    console.log(`  [notifier] ${message}`);
  }
}

/** A plugin that needs the service: the application builds it, with the service NestJS injects. */
@plugin('createdNotice')
export class NotifyPlugin {
  constructor(private readonly notifier: Notifier) {}

  @hook('afterCreate')
  created(entity: { id: number }, ctx: HookContext): void {
    this.notifier.send(`${ctx.meta.className} #${entity.id} created`);
  }
}
