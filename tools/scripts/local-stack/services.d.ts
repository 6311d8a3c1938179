// Types for services.js (plain CommonJS: `npm start` runs it before anything is built).
export interface PlannedService {
  name: string;
  main: string;
  port: number;
  core?: boolean;
  platform?: string;
  connection?: string;
}
export interface ServicePlan {
  run: PlannedService[];
  idle: { name: string; reason: string }[];
  connections: { platform: string; id: string }[];
}
export declare const GATEWAYS: { platform: string; defaultPort: number; requires: string[][] }[];
export declare function planServices(env: NodeJS.ProcessEnv, root: string): ServicePlan;
export declare function childEnv(service: { name: string }, env: NodeJS.ProcessEnv, overrides: Record<string, string | number | undefined>): Record<string, string>;
export declare function connectionIds(env: NodeJS.ProcessEnv): string[];
