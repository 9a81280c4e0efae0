// Labels the report and its chart share.
export const DB = { 'sqlite-memory': 'SQLite mem', 'sqlite-file': 'SQLite file', postgresql: 'PostgreSQL' };
export const MODE = { 'one-flush': 'one flush', batches: 'batches' };
