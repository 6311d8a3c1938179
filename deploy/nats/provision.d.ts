// Types for provision.js (plain CommonJS: it runs in the container image and in `npm start`).
export interface ProvisionOptions {
  url: string;
  user?: string;
  password?: string;
  prefix: string;
  replicas: number;
  connections: readonly string[];
  timeoutMs?: number;
  /** Overrides of libs/messaging DEFAULT_TRANSPORT_MAX_BYTES (STREAM_MAX_BYTES_<STREAM>). */
  transportMaxBytes?: Partial<Record<'inbound' | 'admitted' | 'outbound' | 'delivered', number>>;
  log?: (line: string) => void;
}
export declare function provision(options: ProvisionOptions): Promise<void>;
export declare function fromEnv(env: NodeJS.ProcessEnv): Omit<ProvisionOptions, 'log'>;
