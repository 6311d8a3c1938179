import { CURRENT_SCHEMA_VERSION, EventType } from '@twokey/contracts';
import type { Upcaster, UpcastingOptions } from './upcasting';

/** Brings stored event data to the schema version the running code reads. Pure; shared by every adapter. */
export class UpcasterChain {
  private readonly steps = new Map<string, Upcaster>();

  constructor(private readonly options: UpcastingOptions = {}) {
    for (const [type, version] of Object.entries(options.schemaVersions ?? {})) {
      if (!Number.isInteger(version) || (version as number) < 1) {
        throw new RangeError(`schemaVersions.${type} must be a positive integer, got ${version}`);
      }
    }
    for (const u of options.upcasters ?? []) {
      const key = stepKey(u.type, u.fromVersion);
      if (this.steps.has(key)) throw new RangeError(`two upcasters for ${u.type} from schemaVersion ${u.fromVersion}`);
      this.steps.set(key, u);
    }
  }

  /** The version written by this code and expected after upcasting. */
  currentVersion(type: EventType): number {
    return this.options.schemaVersions?.[type] ?? CURRENT_SCHEMA_VERSION;
  }

  /** Data at `currentVersion(type)`; throws with the reason when a step is missing or fails. */
  upcast(type: EventType, storedVersion: number, data: unknown): unknown {
    const target = this.currentVersion(type);
    if (storedVersion > target) {
      throw new Error(`schemaVersion ${storedVersion} is newer than ${target}, the newest this code reads`);
    }
    let value = data;
    for (let v = storedVersion; v < target; v++) {
      const step = this.steps.get(stepKey(type, v));
      if (!step) throw new Error(`no upcaster for ${type} from schemaVersion ${v} to ${v + 1}`);
      try {
        value = step.upcast(value);
      } catch (e) {
        throw new Error(`upcaster for ${type} from schemaVersion ${v} failed: ${(e as Error).message}`, { cause: e });
      }
    }
    return value;
  }
}

const stepKey = (type: string, fromVersion: number) => `${type}@${fromVersion}`;
