import { scrubSecrets } from '../registry/secrets.js';

const CODES = { red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39], dim: [2, 22], bold: [1, 22] } as const;
export type Colour = keyof typeof CODES;

/**
 * Everything the CLI prints goes through here: colour only on a TTY (never with `NO_COLOR`, always
 * with `FORCE_COLOR`), and every known secret value replaced by `***` before it is written.
 */
export class Output {
  readonly colour: boolean;
  readonly #secrets = new Set<string>();
  readonly #out: NodeJS.WritableStream;
  readonly #err: NodeJS.WritableStream;
  /** Progress lines only for a person at a terminal: never when stderr is redirected, nor in CI. */
  readonly #interactive: boolean;

  constructor(out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr, noColour = false) {
    this.#out = out;
    this.#err = err;
    this.#interactive = err.isTTY === true && !process.env.CI;
    const forced = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0';
    this.colour = !noColour && process.env.NO_COLOR === undefined && (forced || out.isTTY === true);
  }

  addSecrets(values: Iterable<string>): void {
    for (const value of values) if (value) this.#secrets.add(value);
  }

  paint(colour: Colour, text: string): string {
    if (!this.colour) return text;
    const [open, close] = CODES[colour];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  line(text = ''): void {
    this.#out.write(`${scrubSecrets(text, this.#secrets)}\n`);
  }

  error(text: string): void {
    this.#err.write(`${scrubSecrets(text, this.#secrets)}\n`);
  }

  /** A transient status line on stderr, replaced by the next; `undefined` clears it. */
  progress(step: string | undefined): void {
    if (!this.#interactive) return;
    this.#err.write(`\r\u001b[2K${step === undefined ? '' : scrubSecrets(this.paint('dim', `${step}…`), this.#secrets)}`);
  }

  json(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  /** A left-aligned table; widths ignore colour codes. */
  table(headers: string[], rows: string[][]): void {
    const visible = (s: string) => s.replace(/\u001b\[\d+m/g, '').length;
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map(r => visible(r[i] ?? ''))));
    const pad = (s: string, i: number) => s + ' '.repeat(Math.max(0, widths[i]! - visible(s)));
    this.line(`  ${headers.map((h, i) => this.paint('bold', pad(h, i))).join('  ')}`.trimEnd());
    for (const row of rows) this.line(`  ${row.map((c, i) => pad(c, i)).join('  ')}`.trimEnd());
  }
}
