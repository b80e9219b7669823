import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { CPU_USAGE_REQUEST, type CpuUsageReply } from '../servers/child-protocol.ts';

export interface ChildServer {
  name: string;
  pid: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The child's own user + system CPU time so far, in microseconds. */
  cpuMicros(): Promise<number>;
  /** SIGTERM, then SIGKILL after `killAfterMs`; resolves once the process has exited. */
  stop(): Promise<void>;
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

  const cpuMicros = async () => {
    const reply = once(child, 'message') as Promise<[CpuUsageReply]>;
    child.send(CPU_USAGE_REQUEST);
    const [{ cpuUsage }] = await reply;
    return cpuUsage.user + cpuUsage.system;
  };

  try {
    const { stdout } = child;
    if (!stdout) throw new Error(`${name}: spawned without a stdout pipe`);
    const lines = createInterface({ input: stdout });
    const port = await new Promise<number>((resolve, reject) => {
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
    return { name, pid: child.pid ?? -1, origin: `http://127.0.0.1:${port}`, cpuMicros, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function parseAnnouncement(line: string): number | null {
  try {
    const value: unknown = JSON.parse(line);
    const port = (value as { port?: unknown } | null)?.port;
    return typeof port === 'number' && Number.isInteger(port) && port > 0 ? port : null;
  } catch {
    return null;
  }
}
