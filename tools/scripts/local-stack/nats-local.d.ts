// Types for nats-local.js (plain CommonJS: `npm start` runs it before anything is built).
export declare const INSTALL_HELP: string;
export declare function findNatsServer(env?: NodeJS.ProcessEnv): string | undefined;
/** Resolves to why `port` cannot be bound on `host` (e.g. "is already in use"), or undefined when it is free. */
export declare function portProblem(port: number, host?: string): Promise<string | undefined>;
