// Types for generate.js (plain CommonJS: a tool run with node, also used by the manifest tests).
export interface GatewayDefinition {
  platform: string;
  webhook: boolean;
  credentials: string[];
  optional: string[];
  memory?: string;
}
export declare const GATEWAYS: GatewayDefinition[];
export declare const PLACEHOLDER: string;
export declare const HTTP_PORT: number;
export declare const PROBE_PORT: number;
export declare const NATS_IMAGE: string;
export declare function generatedFiles(): Record<string, string>;
export declare function staleFiles(): string[];
