import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { findNatsServer } from '@twokey/test-support';

export interface Machine {
  cores: number;
  cpuModel: string;
  totalMemoryMiB: number;
  node: string;
  natsServer: string;
  os: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAtStart: number;
}

export function describeMachine(): Machine {
  const bin = findNatsServer();
  const version = bin ? spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim() : 'not found';
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    natsServer: version.replace(/^nats-server:\s*/, ''),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAtStart: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/**
 * The durability every bench runs with. nats-server 2.9 has no `sync_interval` option: the file store writes each
 * message to the OS before acknowledging it and fsyncs on a 2-minute timer, so an acknowledged message survives a
 * crash of nats-server but not a power loss of a single node (production runs R3 on three nodes).
 */
export const DURABILITY = 'file storage, R1, nats-server default sync (write to the OS before the ack, fsync every 2 min)';
