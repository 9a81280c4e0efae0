import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { withPlugins } from 'mikro-orm-plugins';

@withPlugins(['timestamp', 'softDelete', { audit: { exclude: ['createdAt', 'updatedAt'], redact: ['accessCode'] } }])
@Entity()
export class Ticket {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string' })
  title!: string;

  @Property({ type: 'string' })
  status: Opt<string> = 'open';

  @Property({ type: 'string', nullable: true })
  accessCode?: string | null;

  declare deletedAt?: Date | null;
}
