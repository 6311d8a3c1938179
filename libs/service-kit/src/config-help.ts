import { z } from 'zod';

/** `--help` or `-h` among the arguments: services take no other argument, only environment variables. */
export function wantsHelp(argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * The `--help` text of a service, read off the same schema that validates its environment, so the list of
 * variables, which ones are required and their defaults cannot drift from what the service really reads.
 */
export function configHelp(service: string, summary: string, schema: z.ZodObject<z.ZodRawShape>, main = `dist/apps/${service}/src/main.js`): string {
  const rows = Object.entries(schema.shape).map(([name, field]) => [name, describeField(field as z.ZodType)] as const);
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  return [
    `usage: node ${main}          (configured by environment variables only)`,
    '',
    `${service}: ${summary}`,
    '',
    'Environment:',
    ...rows.map(([name, what]) => `  ${name.padEnd(width)}${what}`),
    '',
    'Each variable is described in .env.example. A missing or invalid one stops the service at start with a message',
    'naming it. Health: GET /healthz, GET /readyz; metrics: GET /metrics (Prometheus), on PROBE_PORT when set (never',
    'then on HTTP_PORT), else on HTTP_PORT.',
    '',
  ].join('\n');
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; defaultValue?: unknown };

/** "required", "optional" or "default …", plus the allowed values of an enum. */
export function describeField(field: z.ZodType): string {
  let node = field;
  let presence = 'required';
  for (let depth = 0; depth < 8; depth++) {
    const def = node._zod.def as unknown as Def;
    if (def.type === 'default') {
      const value = def.defaultValue;
      presence = `default ${value === '' ? '""' : String(value)}`;
      node = def.innerType!;
    } else if (def.type === 'optional') {
      if (presence === 'required') presence = 'optional';
      node = def.innerType!;
    } else if (def.type === 'pipe') {
      node = def.in!;
    } else break;
  }
  const options = node._zod.def.type === 'enum' ? (node as unknown as { options: readonly string[] }).options : undefined;
  return presence + (options ? ` (one of ${options.join(', ')})` : '');
}
