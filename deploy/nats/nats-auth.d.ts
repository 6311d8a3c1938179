// Types for nats-auth.js (plain CommonJS so it runs before the TypeScript build).
export interface SubjectPermission {
  allow?: string[];
  deny?: string[];
}
export interface NatsUser {
  name: string;
  why: string;
  permissions: { publish?: SubjectPermission; subscribe?: SubjectPermission; allow_responses?: true };
}
export interface NatsUsersOptions {
  prefix?: string;
  connections?: readonly string[];
}
export declare const ROUTE_USER: string;
export declare const ROUTE_PASSWORD_ENV: string;
export declare function routeUrlEnvVar(node: number): string;
export declare const DEFAULT_PREFIX: string;
export declare const DEFAULT_CONNECTIONS: readonly string[];
export declare function sessionsBucket(prefix: string): string;
export declare function agentBucket(prefix: string): string;
export declare function connectionTestsBucket(prefix: string): string;
export declare function snapshotBuckets(prefix: string): { PAIRING_SNAPSHOTS: string; ADMIN_SNAPSHOTS: string };
export declare function streamNames(prefix: string): { INBOUND: string; ADMITTED: string; OUTBOUND: string; EVENTS: string };
export declare function inboxPrefix(user: string): string;
export declare function passwordEnvVar(user: string): string;
export declare function natsUsers(options?: NatsUsersOptions): NatsUser[];
export declare function natsUserNames(options?: NatsUsersOptions): string[];
export declare function renderAuthorization(users: NatsUser[]): string;
/** A random password that nats-server's variable parsing keeps intact (a letter, then letters and digits). */
export declare function generatePassword(): string;
export declare function isUsablePassword(password: string): boolean;
