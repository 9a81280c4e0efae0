// What every console example checks over real HTTP, whichever framework serves it: the console refuses a
// request `authorize` does not grant, serves its page under the prefix, lets an admin change a plugin with the
// CSRF token, and leaves the application's own routes to the application.

export interface MountedConsole {
  /** `http://127.0.0.1:<port>`: where the server listens. */
  readonly origin: string;
  /** Where the console is mounted, `/admin/plugins`. */
  readonly prefix: string;
  /** Headers that make `authorize` grant the admin role. */
  readonly admin: Record<string, string>;
  /** A route of the application itself, and the text it answers. */
  readonly appRoute: { readonly path: string; readonly text: string };
}

export async function checkMountedConsole(framework: string, mounted: MountedConsole): Promise<void> {
  const { origin, prefix, admin } = mounted;
  const url = `${origin}${prefix}`;
  const anonymous = await fetch(`${url}/api/plugins`);
  expect(anonymous.status === 401, `without a grant: ${anonymous.status}, expected 401`);

  const page = await fetch(`${url}/`, { headers: admin });
  const html = await page.text();
  expect(page.status === 200 && html.includes('<html'), `the page: ${page.status}`);
  expect(page.headers.get('content-security-policy')?.includes("frame-ancestors 'none'") === true, 'the page sends its content security policy');

  const session = (await (await fetch(`${url}/api/session`, { headers: admin })).json()) as { actor: string; csrfToken: string };
  const changed = await fetch(`${url}/api/plugins/softDelete/priority`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json', origin, 'x-csrf-token': session.csrfToken },
    body: JSON.stringify({ priority: 5 }),
  });
  const answer = (await changed.json()) as { plugin?: { name: string; priority: number } };
  expect(changed.status === 200 && answer.plugin?.priority === 5, `setting a priority: ${changed.status} ${JSON.stringify(answer)}`);

  const own = await fetch(`${origin}${mounted.appRoute.path}`);
  expect((await own.text()) === mounted.appRoute.text, `${mounted.appRoute.path} must stay the application's`);
  console.log(`${framework}: ${session.actor} set ${answer.plugin!.name}'s priority to 5 through ${prefix}; anonymous requests get 401`);
}

function expect(ok: boolean, what: string): void {
  if (!ok) throw new Error(`console example check failed: ${what}`);
}
