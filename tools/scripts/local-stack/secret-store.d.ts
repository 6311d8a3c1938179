// Types for secret-store.js (plain CommonJS: `npm start` runs it before anything is built).
export interface LocalSecrets {
  version: 1;
  createdAt: string;
  natsPasswords: Record<string, string>;
  pairingHmacSecret: string;
  /** Shared by the pairing-service and the gateways (reply capabilities). */
  replyCapabilitySecret: string;
  sessionSecret: string;
  rpcAuthSecret: string;
  admin: { id: string; tokenSha256: string; shown?: boolean };
}
export declare function loadOrCreateSecrets(home: string, natsUsers: string[]): { secrets: LocalSecrets; firstRun: boolean; adminToken?: string };
export declare function rotateAdminToken(home: string, secrets: LocalSecrets): string;
export declare function markAdminTokenShown(home: string, secrets: LocalSecrets): void;
