import type { z } from 'zod';
import { FieldIssue, Problem } from './problem';

/**
 * Parses input with a zod schema; a mismatch is a 400 problem naming the first offending field (dot path relative
 * to the body or query) and listing every issue.
 */
export function validate<S extends z.ZodTypeAny>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const errors: FieldIssue[] = r.error.issues.map((i) => ({ field: i.path.map(String).join('.'), reason: i.message }));
  const first = errors[0];
  throw Problem.validation(first.field, first.reason, errors);
}
