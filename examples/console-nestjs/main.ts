// The plugin console in a NestJS application on the Express platform: a provider builds it from the MikroORM
// instance Nest injects, and the application mounts it under /admin/plugins beside its own controllers.
import 'reflect-metadata';
import { Controller, Get, Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { pluginConsole, type PluginConsole } from 'mikro-orm-plugins/console';
import { pluginOperations, syncPluginState } from 'mikro-orm-plugins/operations';
import { pluginSystem, withPlugins } from 'mikro-orm-plugins';
import { checkMountedConsole } from '../console-shared/check-mounted.js';

@withPlugins(['softDelete'])
@Entity()
export class Ticket {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @Property({ type: 'datetime', nullable: true }) deletedAt?: Date | null;
  @Property({ type: 'string', nullable: true }) deletionBatch?: string | null;
}

@Injectable()
export class PluginConsoleProvider {
  readonly console: PluginConsole;

  constructor(@Inject(MikroORM) orm: MikroORM) {
    // Mounted by Express, which strips the mount path: no prefix.
    this.console = pluginConsole(orm, {
      // Your guard's logic: who is this, and may they change things?
      authorize: request => (request.headers.get('x-staff') === 'grace' ? { actor: 'grace', role: 'admin' } : null),
    });
  }
}

@Controller('tickets')
class TicketController {
  @Get()
  list(): string {
    return 'the application';
  }
}

@Module({
  imports: [
    MikroOrmModule.forRoot({ driver: SqliteDriver, dbName: ':memory:', entities: [Ticket], extensions: [pluginSystem(), pluginOperations()] }),
  ],
  controllers: [TicketController],
  providers: [PluginConsoleProvider],
})
class AppModule {}

const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: false });
app.use('/admin/plugins', app.get(PluginConsoleProvider).console.node);
const orm = app.get(MikroORM);
await orm.schema.create();
await syncPluginState(orm.em);
await app.listen(0, '127.0.0.1');
try {
  await checkMountedConsole('NestJS (Express platform)', {
    origin: (await app.getUrl()).replace('[::1]', '127.0.0.1'),
    prefix: '/admin/plugins',
    admin: { 'x-staff': 'grace' },
    appRoute: { path: '/tickets', text: 'the application' },
  });
} finally {
  await app.close();
}
