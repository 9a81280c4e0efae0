import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { withPlugins } from 'mikro-orm-plugins';

@withPlugins(['timestamp', 'softDelete', 'permalink', 'wordCount', 'notify', 'audit'])
@Entity()
export class Article {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string' })
  title!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'string', nullable: true })
  permalink?: string | null;

  @Property({ type: 'integer', nullable: true })
  words?: number | null;

  declare createdAt?: Date;
  declare updatedAt?: Date;
  declare deletedAt?: Date | null;
}

@withPlugins(['timestamp', 'notify'])
@Entity()
export class Author {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string' })
  name!: string;

  declare createdAt?: Date;
  declare updatedAt?: Date;
}
