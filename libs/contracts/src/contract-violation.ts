import type { z } from 'zod';

/** A payload that does not match its contract. `field` is the dot path of the first offending field. */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
  constructor(
    readonly contract: string,
    readonly field: string,
    readonly reason: string,
    readonly issues: { field: string; reason: string }[],
  ) {
    super(`invalid ${contract}: ${field || '(root)'} ${reason}`);
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/** Parse `value` with `schema`, throwing a ContractViolation that names the field and why. */
export function parseContract<S extends z.ZodTypeAny>(contract: string, schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ field: pathOf(i.path), reason: i.message }));
  const first = issues[0] ?? { field: '', reason: 'is invalid' };
  throw new ContractViolation(contract, first.field, first.reason, issues);
}

/** JSON bytes → validated payload; malformed JSON is a ContractViolation on the root. */
export function decodeContract<S extends z.ZodTypeAny>(contract: string, schema: S, bytes: Uint8Array): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    // JSON.parse's message quotes the input, which may be message text: never carry it into logs or the DLQ.
    throw new ContractViolation(contract, '', 'is not valid JSON', []);
  }
  return parseContract(contract, schema, value);
}
