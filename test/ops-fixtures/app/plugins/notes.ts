/** Not a plugin module: discovery skips it. */
export const README = 'plugins live here';
