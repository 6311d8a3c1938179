/** Paths of docs/schemas/*.schema.json that differ from what the zod contracts generate. */
export declare function stale(): string[];
