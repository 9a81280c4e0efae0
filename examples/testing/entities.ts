import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { withPlugins } from 'mikro-orm-plugins';
import './excerpt-plugin.js';

@withPlugins(['timestamp', 'softDelete', 'excerpt', { audit: { exclude: ['createdAt', 'updatedAt', 'excerpt'] } }])
@Entity()
export class Post {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string' })
  title!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'string', nullable: true })
  excerpt?: Opt<string>;

  declare createdAt?: Date;
  declare updatedAt?: Date;
  declare deletedAt?: Date | null;
}
