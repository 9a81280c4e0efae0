import { Collection } from '@mikro-orm/core';
import { Entity, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { withPlugins } from 'mikro-orm-plugins';
import { z } from 'zod';

@withPlugins(['timestamp', 'softDelete', 'activity'])
@Entity()
export class Author {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string' })
  name!: string;

  @OneToMany({ entity: () => Article, mappedBy: 'author' })
  articles = new Collection<Article>(this);

  // Added by the timestamp and softDelete plugins; declared so TypeScript knows them.
  declare createdAt?: Date;
  declare updatedAt?: Date;
  declare deletedAt?: Date | null;
}

const articleRules = z.object({
  title: z.string().min(3, 'at least 3 characters'),
  body: z.string().min(10, 'at least 10 characters'),
});

@withPlugins([
  'timestamp',
  'slug',
  'activity',
  { softDelete: { field: 'removedAt' } },
  { validation: { schema: articleRules } },
])
@Entity()
export class Article {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string' })
  title!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'string', nullable: true })
  slug?: string;

  @ManyToOne({ entity: () => Author, nullable: true })
  author?: Author;

  declare createdAt?: Date;
  declare removedAt?: Date | null;
}
