// A NestJS application whose plugin receives an injected service.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { pluginSystem, withPlugins } from 'mikro-orm-plugins';
import { Notifier, NotifyPlugin } from './notify-plugin.js';

@withPlugins(['createdNotice'])
@Entity()
export class Order {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string' })
  item!: string;
}

@Module({ providers: [Notifier], exports: [Notifier] })
class NotifierModule {}

@Module({
  imports: [
    NotifierModule,
    MikroOrmModule.forRootAsync({
      imports: [NotifierModule],
      inject: [Notifier],
      driver: SqliteDriver,
      useFactory: (notifier: Notifier) => ({
        dbName: ':memory:',
        entities: [Order],
        extensions: [pluginSystem({ plugins: [new NotifyPlugin(notifier)] })],
      }),
    }),
  ],
})
class AppModule {}

const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const orm = app.get(MikroORM);
await orm.schema.create();

const em = orm.em.fork();
em.create(Order, { item: 'coffee' });
await em.flush();

const { sent } = app.get(Notifier);
if (sent.join() !== 'Order #1 created') throw new Error(`expected the plugin to use the injected Notifier, it sent: ${JSON.stringify(sent)}`);
console.log('the plugin used the Notifier NestJS injected');
await app.close();
