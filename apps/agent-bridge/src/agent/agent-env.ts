/**
 * Always passed so the agent can run at all (find its interpreter, its home, a locale); none of them is a
 * credential. Everything else must be named in AGENT_ENV.
 */
const BASE = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

/**
 * The agent's whole environment: the base names and AGENT_ENV's, taken from the bridge's environment. Built from
 * nothing (never a copy of process.env minus a few), so a credential added to the bridge later cannot leak.
 */
export function agentEnvironment(allow: readonly string[], source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...BASE, ...allow]) {
    const v = source[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
