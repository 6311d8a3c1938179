'use strict';
// The children of `npm start`. Each runs in its own process group, so a Ctrl-C in the terminal reaches only
// start.mjs, which then stops them in order (services first, nats-server last). Their output is prefixed by name.
const { spawn } = require('node:child_process');
const readline = require('node:readline');

const COLORS = [36, 35, 33, 32, 34, 91, 92, 93, 94, 95];
const children = new Set();
let width = 16;

function label(name, index) {
  const padded = name.padEnd(width);
  return process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[${COLORS[index % COLORS.length]}m${padded}\x1b[0m |` : `${padded} |`;
}

class Child {
  /**
   * @param {string} name
   * @param {string} command
   * @param {string[]} args
   * @param {{ env: NodeJS.ProcessEnv, cwd?: string, filter?: (line: string) => boolean, onLine?: (line: string) => void, format?: (line: string) => string }} options
   */
  constructor(name, command, args, options) {
    this.name = name;
    this.tail = [];
    this.stopping = false;
    this.proc = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.add(this);
    const prefix = label(name, children.size - 1);
    for (const stream of [this.proc.stdout, this.proc.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        options.onLine?.(line);
        if (!options.filter || options.filter(line)) process.stdout.write(`${prefix} ${options.format ? options.format(line) : line}\n`);
      });
    }
    this.exited = new Promise((resolve) => {
      this.proc.once('error', (error) => resolve({ code: null, signal: null, error }));
      this.proc.once('exit', (code, signal) => resolve({ code, signal }));
    }).then((r) => {
      children.delete(this);
      return r;
    });
  }

  get running() {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** SIGTERM (a clean shutdown), then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10_000) {
    this.stopping = true;
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => {
      process.stdout.write(`${this.name} did not stop within ${timeoutMs / 1000} s; killing it\n`);
      this.signal('SIGKILL');
    }, timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }

  signal(sig) {
    try {
      process.kill(-this.proc.pid, sig); // the whole group: the child and anything it spawned
    } catch {
      // already gone
    }
  }
}

function setLabelWidth(names) {
  width = Math.max(width, ...names.map((n) => n.length));
}

/** A line from start.mjs itself, in the same columns as the children's output. */
function say(line) {
  process.stdout.write(`${'twokey'.padEnd(width)} | ${line}\n`);
}

/** Last resort if start.mjs itself exits abruptly: no orphaned nats-server or service keeps a port. */
function killAllNow() {
  for (const c of children) c.signal('SIGKILL');
}

module.exports = { Child, setLabelWidth, say, killAllNow };
