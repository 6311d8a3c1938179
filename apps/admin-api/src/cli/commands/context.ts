import type { AdminApiClient } from '../api/client';
import { CliError, EXIT } from '../exit-codes';
import type { CliIo } from '../io';
import { resolveClient, TargetOptions } from '../target';

/** Options every API command takes. */
export interface CommonOptions extends TargetOptions {
  json?: boolean;
  connection?: string;
}

export interface Context {
  io: CliIo;
  api: AdminApiClient;
  options: CommonOptions;
  print(line: string): void;
  /** Prints `value` as JSON with --json, else the human lines. */
  output(value: unknown, human: () => string[]): void;
}

export async function context(options: CommonOptions, io: CliIo): Promise<Context> {
  const api = await resolveClient(options, io);
  const print = (line: string) => void io.stdout.write(line + '\n');
  return {
    io,
    api,
    options,
    print,
    output: (value, human) => (options.json ? print(JSON.stringify(value, null, 2)) : human().forEach(print)),
  };
}

/** Configured connection ids of the admin-api. */
export async function configuredConnections(ctx: Context): Promise<string[]> {
  const { body } = await ctx.api.request('get', '/api/v1/connections');
  return body.items.filter((c) => c.configured).map((c) => c.id);
}

/** --connection, else the only configured connection; several: the user must choose. */
export async function oneConnection(ctx: Context): Promise<string> {
  if (ctx.options.connection) return ctx.options.connection;
  const ids = await configuredConnections(ctx);
  if (ids.length === 1) return ids[0];
  throw new CliError(EXIT.usage, ids.length === 0 ? 'the admin-api has no configured connection' : `choose one with --connection (${ids.join(', ')})`);
}

/** --connection, else every configured connection (for lists). */
export async function someConnections(ctx: Context): Promise<string[]> {
  return ctx.options.connection ? [ctx.options.connection] : configuredConnections(ctx);
}

/** Rows as aligned columns (the first row is the header). */
export function table(rows: string[][]): string[] {
  if (rows.length <= 1) return [];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}
