// The plugin console in a NestJS application: a provider builds it from the MikroORM instance Nest
// injects, and serves it under /admin/plugins. With @nestjs/platform-express you would instead write
// `app.use('/admin/plugins', app.get(PluginConsoleProvider).node)` (Express strips the prefix; the console follows).
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { pluginConsole, type PluginConsole } from 'mikro-orm-plugins/console';
import { pluginOperations, syncPluginState } from 'mikro-orm-plugins/operations';
import { pluginSystem, withPlugins } from 'mikro-orm-plugins';

@withPlugins(['softDelete'])
@Entity()
export class Ticket {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'datetime', nullable: true }) deletedAt?: Date | null;
  @Property({ type: 'string', nullable: true }) deletionBatch?: string | null;
}

@Injectable()
export class PluginConsoleServer implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly console: PluginConsole;
  #server: Server | undefined;
  url = '';

  constructor(@Inject(MikroORM) orm: MikroORM) {
    this.console = pluginConsole(orm, {
      prefix: '/admin/plugins',
      // Your guard's logic: who is this, and may they change things?
      authorize: request => (request.headers.get('x-staff') === 'grace' ? { actor: 'grace', role: 'admin' } : null),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.#server = createServer(this.console.node);
    await new Promise<void>(resolve => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/admin/plugins`;
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise(resolve => this.#server?.close(resolve));
  }
}

@Module({
  imports: [
    MikroOrmModule.forRoot({ driver: SqliteDriver, dbName: ':memory:', entities: [Ticket], extensions: [pluginSystem(), pluginOperations()] }),
  ],
  providers: [PluginConsoleServer],
})
class AppModule {}

const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const orm = app.get(MikroORM);
await orm.schema.create();
await syncPluginState(orm.em);
const { url } = app.get(PluginConsoleServer);

const anonymous = await fetch(`${url}/api/plugins`);
console.log(`without a grant: ${anonymous.status}`);
if (anonymous.status !== 401) throw new Error('the console must refuse requests authorize does not grant');

const session = (await (await fetch(`${url}/api/session`, { headers: { 'x-staff': 'grace' } })).json()) as { csrfToken: string };
const response = await fetch(`${url}/api/plugins/softDelete/priority`, {
  method: 'POST',
  headers: { 'x-staff': 'grace', 'content-type': 'application/json', origin: new URL(url).origin, 'x-csrf-token': session.csrfToken },
  body: JSON.stringify({ priority: 5 }),
});
const changed = (await response.json()) as { plugin: { name: string; priority: number } };
console.log(`grace set ${changed.plugin.name}'s priority to ${changed.plugin.priority}`);
if (changed.plugin.priority !== 5) throw new Error(`expected priority 5, got ${JSON.stringify(changed)}`);
await app.close();
