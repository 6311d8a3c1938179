// What `npm start` keeps on disk: .env loading and the generated secrets in TWOKEY_HOME (temporary folders here).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDotenv } from '../scripts/local-stack/dotenv';
import { loadOrCreateSecrets, markAdminTokenShown, rotateAdminToken } from '../scripts/local-stack/secret-store';

describe('.env file', () => {
  it('never overrides the environment and treats empty values as unset', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'twokey-dotenv-'));
    try {
      const file = path.join(dir, '.env');
      writeFileSync(file, 'FROM_FILE=1\nALREADY=file\nBLANK=\nWAS_BLANK=file\n');
      const env: NodeJS.ProcessEnv = { ALREADY: 'env', WAS_BLANK: '' };
      expect(loadDotenv(file, env).sort()).toEqual(['FROM_FILE', 'WAS_BLANK']);
      expect(env).toEqual({ FROM_FILE: '1', ALREADY: 'env', WAS_BLANK: 'file' });
      expect(loadDotenv(path.join(dir, 'missing.env'), env)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('local secrets', () => {
  let home: string;
  beforeEach(() => (home = mkdtempSync(path.join(tmpdir(), 'twokey-secrets-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('creates them once (mode 600), keeping only the admin token hash, and keeps them on the next start', () => {
    const first = loadOrCreateSecrets(home, ['pairing-service', 'admin-api']);
    expect(first.firstRun).toBe(true);
    expect(first.adminToken).toMatch(/^twokey_[\w-]{43}$/);
    const file = path.join(home, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const stored = readFileSync(file, 'utf8');
    expect(stored).not.toContain(first.adminToken);
    expect(first.secrets.admin.tokenSha256).toBe(createHash('sha256').update(first.adminToken!).digest('hex'));
    expect(first.secrets.pairingHmacSecret.length).toBeGreaterThanOrEqual(32);

    markAdminTokenShown(home, first.secrets);
    const second = loadOrCreateSecrets(home, ['pairing-service', 'admin-api', 'gateway-line']);
    expect(second.firstRun).toBe(false);
    expect(second.adminToken).toBeUndefined();
    expect(second.secrets.natsPasswords['pairing-service']).toBe(first.secrets.natsPasswords['pairing-service']);
    expect(second.secrets.natsPasswords['gateway-line']).toMatch(/^[A-Za-z][A-Za-z0-9]{23,}$/);
  });

  it('replaces a token that was never printed (a first start that failed early), and only that one', () => {
    const first = loadOrCreateSecrets(home, []);
    const again = loadOrCreateSecrets(home, []);
    expect(again.adminToken).toMatch(/^twokey_/);
    expect(again.adminToken).not.toBe(first.adminToken);
    markAdminTokenShown(home, again.secrets);
    const stored = JSON.parse(readFileSync(path.join(home, 'secrets.json'), 'utf8'));
    expect(stored.admin.tokenSha256).toBe(createHash('sha256').update(again.adminToken!).digest('hex'));
    expect(loadOrCreateSecrets(home, []).adminToken).toBeUndefined();
  });

  it('M2: rotates the admin token and the session secret on request', () => {
    const { secrets, adminToken } = loadOrCreateSecrets(home, []);
    const sessionSecret = secrets.sessionSecret;
    const next = rotateAdminToken(home, secrets);
    expect(next).not.toBe(adminToken);
    const stored = JSON.parse(readFileSync(path.join(home, 'secrets.json'), 'utf8'));
    expect(stored.admin.tokenSha256).toBe(createHash('sha256').update(next).digest('hex'));
    expect(stored.sessionSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stored.sessionSecret).not.toBe(sessionSecret);
  });

  it('refuses a damaged file instead of silently making new secrets', () => {
    writeFileSync(path.join(home, 'secrets.json'), '{ not json');
    expect(() => loadOrCreateSecrets(home, [])).toThrow(/not valid JSON.*delete it to start over/);
  });
});
