// import() as Node itself does it, outside vitest's module graph: a module loaded this way shares Node's module
// cache with require(), so a test can load the built package and an app that imports it by name as one copy.
export const nativeImport = specifier => import(specifier);
