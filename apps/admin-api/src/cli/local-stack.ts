import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What `npm start` records in TWOKEY_HOME (tools/scripts/local-stack/stack-record.js): where the running stack is
 * and the CLI's own admin token, so commands against the local stack need no flags.
 */
export interface StackRecord {
  pid: number;
  adminUrl: string;
  nats: { url: string; user?: string };
  prefix: string;
  connections?: string[];
}

export interface LocalStack {
  home: string;
  record: StackRecord;
  /** The `local-cli` admin token (cli-token.json). */
  token?: string;
  /** The admin-api's NATS password (secrets.json), for the events commands that read the log directly. */
  natsPassword?: string;
}

/** The repository root, from the compiled (dist/apps/admin-api/src/cli) or the source (apps/admin-api/src/cli) file. */
function repositoryRoot(): string {
  const here = __dirname.split(path.sep);
  const dist = here.lastIndexOf('dist');
  return dist >= 0 ? here.slice(0, dist).join(path.sep) || path.sep : path.resolve(__dirname, '../../../..');
}

export const localHome = (env: NodeJS.ProcessEnv): string => path.resolve(env.TWOKEY_HOME ? env.TWOKEY_HOME : path.join(repositoryRoot(), '.twokey'));

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running local stack, or why there is none (a sentence for the user). */
export function findLocalStack(env: NodeJS.ProcessEnv): LocalStack | string {
  const home = localHome(env);
  let record: StackRecord;
  try {
    record = readJson(path.join(home, 'stack.json')) as StackRecord;
  } catch {
    return `no local stack is running (${path.join(home, 'stack.json')} is missing): start it with \`npm start\`, or pass --url for a deployment`;
  }
  if (!Number.isInteger(record.pid) || !alive(record.pid)) {
    return `the local stack recorded in ${home} (pid ${record.pid}) is not running: start it with \`npm start\`, or pass --url`;
  }
  let token: string | undefined;
  let natsPassword: string | undefined;
  try {
    token = (readJson(path.join(home, 'cli-token.json')) as { token?: string }).token;
  } catch {
    token = undefined;
  }
  try {
    const secrets = readJson(path.join(home, 'secrets.json')) as { natsPasswords?: Record<string, string> };
    natsPassword = record.nats.user ? secrets.natsPasswords?.[record.nats.user] : undefined;
  } catch {
    natsPassword = undefined;
  }
  return { home, record, token, natsPassword };
}
