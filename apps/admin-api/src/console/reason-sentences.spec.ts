import { DENIAL_REASONS } from '@twokey/contracts';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The console's format.js is a browser module; its REASONS table is read as text so a new reason cannot go unexplained. */
const formatJs = readFileSync(path.resolve(__dirname, '../../console/assets/format.js'), 'utf8');
const table = formatJs.slice(formatJs.indexOf('export const REASONS = {'), formatJs.indexOf('};', formatJs.indexOf('export const REASONS = {')));

describe('the console explains every denial reason in a sentence', () => {
  it.each(DENIAL_REASONS.map((r) => [r]))('%s', (reason) => {
    const at = table.indexOf(`'${reason}':`);
    expect(at).toBeGreaterThan(0);
    const sentence = /:\s*'([^']+)'/.exec(table.slice(at + reason.length + 2))?.[1] ?? '';
    expect(sentence).toMatch(/^[A-Z].{20,}\.$/);
  });

  it('tells a used code from an expired one', () => {
    expect(table).toMatch(/'pairing-code-used':\s*'[^']*already used/);
    expect(table).toMatch(/'pairing-code-expired':\s*'[^']*time had run out/);
  });
});
