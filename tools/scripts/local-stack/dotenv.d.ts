// Types for dotenv.js (plain CommonJS: `npm start` runs it before anything is built).
export declare function parseDotenv(text: string, source?: string): Record<string, string>;
export declare function loadDotenv(file: string, env?: NodeJS.ProcessEnv): string[];
