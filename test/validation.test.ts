import type { MikroORM } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  HookError,
  PluginRegistry,
  SoftDeletePlugin,
  TimestampPlugin,
  ValidationError,
  ValidationPlugin,
  pluginSystem,
  withPlugins,
  type FieldIssue,
} from '../src/index.js';
import { describeEachDatabase } from './support/databases.js';
import { countRows, dumpTables, rowById } from './support/fixtures-sql.js';

const registry = new PluginRegistry().registerMany({ timestamp: TimestampPlugin, softDelete: SoftDeletePlugin, validation: ValidationPlugin });

const personSchema = z.object({
  name: z.string().min(2),
  email: z.email(),
  age: z.number().int().min(0),
});

/** Validated by a zod schema. */
@withPlugins([{ validation: { schema: personSchema } }])
@Entity()
class ValPerson {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string' }) email!: string;
  @Property({ type: 'integer' }) age!: number;
}

function companyIssues(c: ValCompany): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!/^[A-Z]/.test(c.name)) issues.push({ field: 'name', message: 'must start with a capital letter' });
  if (!/^[A-Z]{2}$/.test(c.country)) issues.push({ field: 'country', message: 'must be a two-letter code' });
  if (c.employees < 1) issues.push({ field: 'employees', message: 'must be at least 1' });
  return issues;
}

/** Validated by a function. */
@withPlugins([{ validation: { validate: companyIssues } }])
@Entity()
class ValCompany {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string' }) country!: string;
  @Property({ type: 'integer' }) employees!: number;
}

/** Belongs to a company, so its inserts come after the company's inside one flush. */
@withPlugins([{ validation: { validate: (e: ValEmployee) => (e.badge.length === 4 ? [] : [{ field: 'badge', message: 'must be 4 characters' }]) } }])
@Entity()
class ValEmployee {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) badge!: string;
  @ManyToOne({ entity: () => ValCompany, nullable: true }) company?: ValCompany;
}

/** Both a schema and a function: the issues of both are reported. */
@withPlugins([
  {
    validation: {
      schema: z.object({ code: z.string().regex(/^[a-z]+$/) }),
      validate: (e: ValProduct) => (e.price > 0 ? [] : [{ field: 'price', message: 'must be positive' }]),
    },
  },
])
@Entity()
class ValProduct {
  @PrimaryKey({ type: 'integer' }) id!: number;
  @Property({ type: 'string' }) code!: string;
  @Property({ type: 'integer' }) price!: number;
}

const entities = [ValPerson, ValCompany, ValEmployee, ValProduct];

/** Runs `fn`, expecting it to reject with a ValidationError, and returns the error. */
async function validationFailure(fn: () => Promise<unknown>): Promise<ValidationError> {
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the flush should have failed').toBeInstanceOf(ValidationError);
  // Reported as itself, not wrapped in a HookError.
  expect(error).not.toBeInstanceOf(HookError);
  expect((error as ValidationError).code).toBe('MOP_VALIDATION_FAILED');
  return error as ValidationError;
}

const fields = (error: ValidationError) => error.issues.map(i => i.field).sort();

describeEachDatabase('validation plugin', db => {
  let orm: MikroORM | undefined;
  afterEach(async () => {
    await orm?.close();
    orm = undefined;
  });
  const init = async () => (orm = await db.init({ entities, extensions: [pluginSystem({ registry })] }));

  describe('with a zod schema', () => {
    test('a valid entity is saved', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const p = em.create(ValPerson, { name: 'Ada', email: 'ada@example.com', age: 36 });
      await em.flush();
      expect(await rowById(orm, ValPerson, p.id)).toMatchObject({ name: 'Ada', email: 'ada@example.com', age: 36 });
    });

    test('a failure lists every failing field and writes nothing', async () => {
      const orm = await init();
      const em = orm.em.fork();
      em.create(ValPerson, { name: 'A', email: 'not an email', age: -1 });
      const error = await validationFailure(() => em.flush());
      expect(error.code).toBe('MOP_VALIDATION_FAILED');
      expect(error.entity).toBe('ValPerson');
      expect(error.plugin).toBe('validation');
      expect(fields(error)).toEqual(['age', 'email', 'name']);
      for (const issue of error.issues) expect(issue.message).not.toBe('');
      expect(await countRows(orm, ValPerson)).toBe(0);
    });

    test('the invalid entity being the 2nd of 3 in one flush writes none of them', async () => {
      const orm = await init();
      const em = orm.em.fork();
      em.create(ValPerson, { name: 'First', email: 'first@example.com', age: 1 });
      em.create(ValPerson, { name: 'S', email: 'second', age: 2 });
      em.create(ValPerson, { name: 'Third', email: 'third@example.com', age: 3 });
      const error = await validationFailure(() => em.flush());
      expect(fields(error)).toEqual(['email', 'name']);
      expect(await countRows(orm, ValPerson)).toBe(0);
    });

    test('an update is validated: an invalid change fails with every field and the row keeps its values', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const p = em.create(ValPerson, { name: 'Grace', email: 'grace@example.com', age: 40 });
      await em.flush();
      const before = await rowById(orm, ValPerson, p.id);

      const em2 = orm.em.fork();
      const loaded = await em2.findOneOrFail(ValPerson, p.id);
      loaded.email = 'nope';
      loaded.age = 1.5;
      const error = await validationFailure(() => em2.flush());
      expect(fields(error)).toEqual(['age', 'email']);
      expect(await rowById(orm, ValPerson, p.id)).toEqual(before);
    });

    test('a valid update is saved', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const p = em.create(ValPerson, { name: 'Grace', email: 'grace@example.com', age: 40 });
      await em.flush();
      p.age = 41;
      await em.flush();
      expect(await rowById(orm, ValPerson, p.id)).toMatchObject({ age: 41 });
    });
  });

  describe('with a validate function', () => {
    test('a valid entity is saved', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const c = em.create(ValCompany, { name: 'Acme', country: 'FR', employees: 3 });
      await em.flush();
      expect(await rowById(orm, ValCompany, c.id)).toMatchObject({ name: 'Acme', country: 'FR', employees: 3 });
    });

    test('a failure lists every failing field, with the messages the function gave, and writes nothing', async () => {
      const orm = await init();
      const em = orm.em.fork();
      em.create(ValCompany, { name: 'acme', country: 'France', employees: 0 });
      const error = await validationFailure(() => em.flush());
      expect(error.entity).toBe('ValCompany');
      expect([...error.issues].sort((a, b) => a.field.localeCompare(b.field))).toEqual([
        { field: 'country', message: 'must be a two-letter code' },
        { field: 'employees', message: 'must be at least 1' },
        { field: 'name', message: 'must start with a capital letter' },
      ]);
      expect(await countRows(orm, ValCompany)).toBe(0);
    });

    test('the invalid entity being the 2nd of 3 in one flush writes none of them', async () => {
      const orm = await init();
      const em = orm.em.fork();
      em.create(ValCompany, { name: 'One', country: 'DE', employees: 1 });
      em.create(ValCompany, { name: 'two', country: 'D', employees: 2 });
      em.create(ValCompany, { name: 'Three', country: 'IT', employees: 3 });
      const error = await validationFailure(() => em.flush());
      expect(fields(error)).toEqual(['country', 'name']);
      expect(await countRows(orm, ValCompany)).toBe(0);
    });

    test('an invalid entity inserted after other tables were written rolls the whole flush back', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const seeded = em.create(ValCompany, { name: 'Seed', country: 'ES', employees: 2 });
      await em.flush();
      const before = await dumpTables(orm, entities);

      // The company is inserted and updated before the employees: their 2nd one fails.
      const company = em.create(ValCompany, { name: 'Beta', country: 'NL', employees: 4 });
      seeded.employees = 20;
      em.create(ValEmployee, { badge: 'AAAA', company });
      em.create(ValEmployee, { badge: 'B', company });
      em.create(ValEmployee, { badge: 'CCCC', company });
      const error = await validationFailure(() => em.flush());
      expect(error.entity).toBe('ValEmployee');
      expect(fields(error)).toEqual(['badge']);
      expect(await dumpTables(orm, entities)).toEqual(before);
    });

    test('an update is validated: an invalid change fails with every field and the row keeps its values', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const c = em.create(ValCompany, { name: 'Acme', country: 'FR', employees: 3 });
      await em.flush();
      const before = await rowById(orm, ValCompany, c.id);

      const em2 = orm.em.fork();
      const loaded = await em2.findOneOrFail(ValCompany, c.id);
      loaded.name = 'acme';
      loaded.employees = 0;
      const error = await validationFailure(() => em2.flush());
      expect(fields(error)).toEqual(['employees', 'name']);
      expect(await rowById(orm, ValCompany, c.id)).toEqual(before);
    });

    test('a valid update is saved', async () => {
      const orm = await init();
      const em = orm.em.fork();
      const c = em.create(ValCompany, { name: 'Acme', country: 'FR', employees: 3 });
      await em.flush();
      const em2 = orm.em.fork();
      (await em2.findOneOrFail(ValCompany, c.id)).country = 'BE';
      await em2.flush();
      expect(await rowById(orm, ValCompany, c.id)).toMatchObject({ country: 'BE' });
    });
  });

  test('with both a schema and a function, the issues of both are listed', async () => {
    const orm = await init();
    const em = orm.em.fork();
    em.create(ValProduct, { code: 'NOT-LOWER', price: 0 });
    const error = await validationFailure(() => em.flush());
    expect(fields(error)).toEqual(['code', 'price']);
    expect(await countRows(orm, ValProduct)).toBe(0);
  });

  test('invalid entities of two types in one flush: the flush fails and neither table is written', async () => {
    const orm = await init();
    const em = orm.em.fork();
    em.create(ValPerson, { name: 'Valid', email: 'valid@example.com', age: 5 });
    em.create(ValCompany, { name: 'bad', country: 'XX', employees: 1 });
    await validationFailure(() => em.flush());
    expect(await countRows(orm, ValPerson)).toBe(0);
    expect(await countRows(orm, ValCompany)).toBe(0);
  });
});
