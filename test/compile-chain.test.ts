import { describe, expect, test } from 'vitest';
import { chainScope } from '../src/bridge/runtime-chains.js';
import { buildEntityChains, type AttachedPlugin } from '../src/chain/build-chains.js';
import { DispatchContext } from '../src/chain/chain.js';
import { runFrom } from '../src/chain/dispatch.js';
import { hook, PluginRegistry } from '../src/index.js';

// The compiled fast path must be the generic loop, only faster: same order, same results, same errors.

function chainOf(classes: Record<string, new () => object>) {
  const registry = new PluginRegistry().registerMany(classes);
  const attached: AttachedPlugin[] = registry.names().map((name, rank) => {
    const definition = registry.definition(name)!;
    return { definition, instance: new definition.pluginClass(), options: { name }, hooks: definition.hooks, rank };
  });
  return buildEntityChains('Widget', attached, chainScope(registry)).beforeCreate!;
}

const ctx = () => new DispatchContext('beforeCreate', undefined as never, undefined as never, undefined, undefined);

const order: string[] = [];
class First {
  @hook('beforeCreate') one(entity: { seen: string[] }, c: { options: { name: string } }) {
    entity.seen.push(c.options.name);
  }
}
class Second {
  @hook('beforeCreate') two(entity: { seen: string[] }) {
    entity.seen.push('second');
  }
}
class Third {
  label = 'third-instance';
  @hook('beforeCreate') three(entity: { seen: string[] }) {
    entity.seen.push(this.label);
  }
}
class Thrower {
  @hook('beforeCreate') boom() {
    order.push('boom');
    throw new Error('kaput');
  }
}

describe('compiled chains', () => {
  test('the generated code has one call site per hook and no names in it', () => {
    const chain = chainOf({ alpha: First, beta: Second, gamma: Third });
    const source = chain.run.toString();
    expect(source.match(/\.call\(I\d, s, a, c\)/g)).toEqual(['.call(I0, s, a, c)', '.call(I1, s, a, c)', '.call(I2, s, a, c)']);
    expect(source).not.toMatch(/alpha|beta|gamma|one|two|three/);
  });

  test('runs like the generic loop: order, this, options', () => {
    const chain = chainOf({ alpha: First, beta: Second, gamma: Third });
    const compiled = { seen: [] as string[] };
    const generic = { seen: [] as string[] };
    const c1 = ctx();
    const c2 = ctx();
    expect(chain.run(c1, compiled, c1)).toBeUndefined();
    expect(runFrom(chain, c2, generic, c2, 0)).toBeUndefined();
    expect(compiled.seen).toEqual(['alpha', 'second', 'third-instance']);
    expect(generic.seen).toEqual(compiled.seen);
  });

  test('a throwing hook in the middle is tagged with its own plugin, and stops the chain', () => {
    const chain = chainOf({ alpha: First, broken: Thrower, gamma: Third });
    const entity = { seen: [] as string[] };
    const c = ctx();
    expect(() => chain.run(c, entity, c)).toThrow(expect.objectContaining({ code: 'MOP_HOOK_FAILED', plugin: 'broken', hook: 'boom (beforeCreate)' }));
    expect(entity.seen).toEqual(['alpha']);
  });
});
