import { existsSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../..');

/** These tests run compiled code (as production does); say how to get it instead of failing obscurely. */
export function assertBuilt(...files: string[]): void {
  const missing = files.filter((f) => !existsSync(path.join(repoRoot, f)));
  if (missing.length) throw new Error(`not built: ${missing.join(', ')}. Run \`npm run build\` (npm test does it first).`);
}
