// Types for log-format.js (plain CommonJS: `npm start` runs it before anything is built).
export declare function humanLine(line: string): string;
export declare function formatterFor(env: NodeJS.ProcessEnv): (line: string) => string;
