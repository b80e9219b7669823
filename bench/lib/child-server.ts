import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { CPU_USAGE_REQUEST, SETTLED_USAGE_REQUEST, type CpuUsageReply } from '../servers/child-protocol.ts';

export interface ChildServer {
  name: string;
  pid: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The bootstrap admin token, when the child announced one. */
  adminToken: string | null;
  /** The child's own user + system CPU time so far, in microseconds. */
  cpuMicros(): Promise<number>;
  /**
   * CPU time so far (µs) and resident memory now and at its peak (bytes), from the child itself.
   * `settled`: after a full garbage collection, if the child runs with `--expose-gc`.
   */
  usage(options?: { settled?: boolean }): Promise<ChildUsage>;
  /** SIGTERM, then SIGKILL after `killAfterMs`; resolves once the process has exited. */
  stop(): Promise<void>;
}

export interface ChildUsage {
  cpuMicros: number;
  rssBytes: number;
  maxRssBytes: number;
  heapAndExternalBytes: number;
}

/**
 * Runs a bench server script (`bench/servers/*.ts`, see `child-protocol.ts`) in its own Node
 * process with tsx, so the server never shares an event loop with the load generator. Resolves
 * when the child has announced its port. A child is killed when this process exits, even if the
 * caller never reaches `stop()`.
 */
export async function startChildServer(options: {
  name: string;
  script: string;
  startTimeoutMs?: number;
  killAfterMs?: number;
  nodeArgs?: string[];
  /** Added to this process's environment. */
  env?: Record<string, string>;
}): Promise<ChildServer> {
  const { name, script, startTimeoutMs = 30_000, killAfterMs = 10_000 } = options;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = once(child, 'exit').then(() => process.off('exit', killOnExit));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      await exited;
      clearTimeout(timer);
    }
  };

  // One question at a time: replies carry no id, so the next message answers the last request.
  let asking: Promise<unknown> = Promise.resolve();
  const usage = (options: { settled?: boolean } = {}): Promise<ChildUsage> => {
    const ask = async () => {
      const reply = once(child, 'message') as Promise<[CpuUsageReply]>;
      child.send(options.settled ? SETTLED_USAGE_REQUEST : CPU_USAGE_REQUEST);
      const [{ cpuUsage, ...memory }] = await reply;
      return { cpuMicros: cpuUsage.user + cpuUsage.system, ...memory };
    };
    const answer = asking.then(ask, ask);
    asking = answer.catch(() => undefined);
    return answer;
  };
  const cpuMicros = async () => (await usage()).cpuMicros;

  try {
    const { stdout } = child;
    if (!stdout) throw new Error(`${name}: spawned without a stdout pipe`);
    const lines = createInterface({ input: stdout });
    const announcement = await new Promise<Announcement>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no port announced within ${startTimeoutMs} ms`)), startTimeoutMs);
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`${name}: exited before listening (code ${code}, signal ${signal})`)));
      lines.on('line', (line) => {
        const announced = parseAnnouncement(line);
        if (announced === null) {
          process.stderr.write(`[${name}] ${line}\n`);
        } else {
          clearTimeout(timer);
          resolve(announced);
        }
      });
    });
    const { port, adminToken } = announcement;
    return { name, pid: child.pid ?? -1, origin: `http://127.0.0.1:${port}`, adminToken, cpuMicros, usage, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface Announcement {
  port: number;
  adminToken: string | null;
}

function parseAnnouncement(line: string): Announcement | null {
  try {
    const value = JSON.parse(line) as { port?: unknown; adminToken?: unknown } | null;
    const port = value?.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0) return null;
    return { port, adminToken: typeof value?.adminToken === 'string' ? value.adminToken : null };
  } catch {
    return null;
  }
}
