import { readOptions, valuesOf, type ReadOptions } from './command-options.ts';
import { hostOfRemoteSpec, hostOfUrl, isLoopback, isRemoteSpec } from './remote.ts';
import type { Pipeline, SimpleCommand } from './shell-command.ts';

/** A command that sends data to another machine. */
export interface Transfer {
  /** `scp`, `rsync`, `curl`, `wget`, `nc`, `socat`, `ssh` or `/dev/tcp`. */
  readonly tool: string;
  readonly host: string;
  readonly port: string | null;
  /** Paths, as typed, whose content it sends (including what earlier pipeline stages read). */
  readonly sends: readonly string[];
}

/** What reaches a command's standard input: redirected files and what earlier stages read. */
interface Input {
  readonly paths: readonly string[];
  readonly present: boolean;
}

const SCP_VALUES = new Set(['-P', '-i', '-o', '-F', '-c', '-l', '-S', '-J', '-D', '-X']);
const RSYNC_VALUES = new Set(['-e', '--rsh', '-f', '--filter', '--exclude', '--include', '-T', '--temp-dir', '--port']);
const SSH_VALUES = new Set(['-p', '-i', '-l', '-o', '-F', '-J', '-L', '-R', '-D', '-b', '-c', '-E', '-e', '-m', '-O', '-Q', '-S', '-W', '-w', '-B', '-I']);
const NC_VALUES = new Set(['-p', '-s', '-w', '-i', '-q', '-x', '-X', '-W', '-e', '-c', '-I', '-O', '-T', '-M', '-m', '-P', '--source-port', '--source']);
const WGET_VALUES = new Set(['-O', '-o', '-a', '-U', '-t', '-T', '-P', '-e', '--header', '--user', '--password', '--method', '--post-file', '--body-file', '--post-data']);
const CURL_UPLOADS = ['-T', '--upload-file'];
const CURL_FORMS = ['-F', '--form'];
const CURL_DATA = ['-d', '--data', '--data-binary', '--data-ascii', '--data-urlencode', '--json'];
const CURL_VALUES = new Set([
  ...CURL_UPLOADS, ...CURL_FORMS, ...CURL_DATA,
  '-o', '--output', '-H', '--header', '-u', '--user', '-X', '--request', '-A', '--user-agent', '-e', '--referer', '-x', '--proxy',
  '-b', '--cookie', '-c', '--cookie-jar', '-m', '--max-time', '--connect-timeout', '-K', '--config', '-w', '--write-out',
  '-E', '--cert', '--key', '-r', '--range', '-U', '--proxy-user', '--retry', '--resolve', '--cacert', '-C', '--url', '-D', '--dump-header',
]);

/**
 * The first command of `pipeline` that sends data to a non-loopback host, or null. Recognised:
 * `scp`/`rsync` to a remote operand; `curl` uploads (`-T`, `-F x=@file`, `-d @file`); `wget
 * --post-file`; `nc`/`ncat`/`netcat` and `socat` with input; `ssh host` fed by a pipe or `<`; and
 * redirects to bash's `/dev/tcp/host/port`.
 */
export function findTransfer(pipeline: Pipeline): Transfer | null {
  for (let i = 0; i < pipeline.length; i += 1) {
    const command = pipeline[i] as SimpleCommand;
    const redirected = command.redirects.filter((r) => r.op === '<').map((r) => r.target);
    const upstream = pipeline.slice(0, i).flatMap(readsFrom);
    const transfer = transferOf(command, { paths: [...redirected, ...upstream], present: i > 0 || redirected.length > 0 });
    if (transfer !== null && !isLoopback(transfer.host)) return transfer;
  }
  return null;
}

/** The non-option arguments and input files of a command: what it may read and pass down a pipe. */
function readsFrom(command: SimpleCommand): string[] {
  const inputs = command.redirects.filter((r) => r.op === '<').map((r) => r.target);
  return [...command.argv.slice(1).filter((a) => !a.startsWith('-')), ...inputs];
}

function transferOf(command: SimpleCommand, input: Input): Transfer | null {
  const [program, ...args] = command.argv;
  switch (program) {
    case 'scp':
      return copyToRemote('scp', readOptions(args, SCP_VALUES));
    case 'rsync':
      return copyToRemote('rsync', readOptions(args, RSYNC_VALUES));
    case 'curl':
      return curlUpload(readOptions(args, CURL_VALUES), input);
    case 'wget': {
      const read = readOptions(args, WGET_VALUES);
      const files = valuesOf(read, '--post-file', '--body-file');
      return viaUrl('wget', read.operands[0], files);
    }
    case 'nc':
    case 'ncat':
    case 'netcat':
    case 'nc.openbsd':
    case 'nc.traditional': {
      const read = readOptions(args, NC_VALUES);
      const [host, port] = read.operands;
      if (read.flags.has('-l') || read.flags.has('--listen') || host === undefined || !input.present) return null;
      return { tool: 'nc', host, port: port ?? null, sends: input.paths };
    }
    case 'socat':
      return socat(args, input);
    case 'ssh': {
      const host = readOptions(args, SSH_VALUES).operands[0];
      return host === undefined || !input.present ? null : { tool: 'ssh', host: host.replace(/^.*@/, ''), port: null, sends: input.paths };
    }
    default:
      return devTcp(command, input);
  }
}

/** `scp a b user@host:dir`: the last operand is remote, the others are local files sent there. */
function copyToRemote(tool: string, read: ReadOptions): Transfer | null {
  const dest = read.operands.at(-1);
  const sources = read.operands.slice(0, -1);
  if (dest === undefined || sources.length === 0 || !isRemoteSpec(dest) || sources.some(isRemoteSpec)) return null;
  return { tool, host: hostOfRemoteSpec(dest), port: null, sends: sources };
}

/** Files `curl` uploads: `-T file`, `-F name=@file` / `name=<file`, `-d @file`; `-` means standard input. */
function curlUpload(read: ReadOptions, input: Input): Transfer | null {
  const forms = valuesOf(read, ...CURL_FORMS).flatMap((v) => /=[@<]([^;]+)/.exec(v)?.[1] ?? []);
  const data = valuesOf(read, ...CURL_DATA).flatMap((v) => /^(?:[^=@]*)@(.+)$/.exec(v)?.[1] ?? []);
  const files = [...valuesOf(read, ...CURL_UPLOADS), ...forms, ...data];
  if (files.length === 0) return null;
  const sends = files.flatMap((f) => (f === '-' ? input.paths : [f]));
  return viaUrl('curl', valuesOf(read, '--url')[0] ?? read.operands[0], sends);
}

function viaUrl(tool: string, url: string | undefined, sends: readonly string[]): Transfer | null {
  const host = url === undefined ? null : hostOfUrl(url);
  return host === null || sends.length === 0 ? null : { tool, host, port: null, sends };
}

/** `socat FILE:/tmp/x TCP:host:port`, or `socat - TCP:host:port` fed by a pipe. */
function socat(args: readonly string[], input: Input): Transfer | null {
  const address = args.map((a) => /^(?:tcp|tcp4|tcp6|udp|udp4|udp6|openssl|ssl)(?:-connect)?:([^:,]+):(\d+)/i.exec(a)).find((m) => m !== null);
  if (!address) return null;
  const files = args.flatMap((a) => /^(?:file|open|gopen):([^,]+)/i.exec(a)?.[1] ?? []);
  const fromInput = args.some((a) => a === '-' || /^stdin|^stdio/i.test(a)) && input.present;
  if (files.length === 0 && !fromInput) return null;
  return { tool: 'socat', host: address[1] as string, port: address[2] ?? null, sends: [...files, ...(fromInput ? input.paths : [])] };
}

/** `cat /tmp/x > /dev/tcp/203.0.113.5/443`: bash opens the socket for the redirect. */
function devTcp(command: SimpleCommand, input: Input): Transfer | null {
  for (const r of command.redirects) {
    const m = r.op !== '<' ? /^\/dev\/(?:tcp|udp)\/([^/]+)\/(\d+)$/.exec(r.target) : null;
    if (m) return { tool: '/dev/tcp', host: m[1] as string, port: m[2] ?? null, sends: [...readsFrom(command), ...input.paths] };
  }
  return null;
}
