// The CLI's progress line: shown to a person at a terminal, never in CI or in redirected output.
import { PassThrough } from 'node:stream';
import { afterEach, expect, test, vi } from 'vitest';
import { Output } from '../src/cli/output.js';

function stream(tty: boolean): PassThrough & { isTTY?: boolean; text: () => string } {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; text: () => string };
  if (tty) s.isTTY = true;
  const chunks: string[] = [];
  s.on('data', chunk => chunks.push(String(chunk)));
  s.text = () => chunks.join('');
  return s;
}

afterEach(() => vi.unstubAllEnvs());

test('on a terminal, each step replaces the last and the line is cleared at the end; secrets masked', async () => {
  vi.stubEnv('CI', '');
  const err = stream(true);
  const out = new Output(stream(false) as never, err as never, true);
  out.addSecrets(['s3cret-value']);
  out.progress('mailer: health check');
  out.progress('mailer: connection test with s3cret-value');
  out.progress(undefined);
  await new Promise(resolve => setImmediate(resolve));
  expect(err.text()).toBe('\r\u001b[2Kmailer: health check…\r\u001b[2Kmailer: connection test with ***…\r\u001b[2K');
});

test('redirected or in CI: no progress at all', async () => {
  vi.stubEnv('CI', '');
  const redirected = stream(false);
  new Output(stream(false) as never, redirected as never).progress('step');
  vi.stubEnv('CI', 'true');
  const inCi = stream(true);
  new Output(stream(false) as never, inCi as never).progress('step');
  await new Promise(resolve => setImmediate(resolve));
  expect([redirected.text(), inCi.text()]).toEqual(['', '']);
});
