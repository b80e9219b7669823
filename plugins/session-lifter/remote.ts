/**
 * Recognising "somewhere else" in command arguments: scp/rsync remote operands, URLs, and hosts
 * that are really this machine (a transfer to localhost is not exfiltration).
 */

/** `user@host:path`, `host:path`, `host::module`, `rsync://…` or `scp://…`: scp and rsync remote operands. */
export function isRemoteSpec(arg: string): boolean {
  if (/^(?:rsync|scp|sftp):\/\//i.test(arg)) return true;
  return /^(?:[^@\s/:]+@)?(?:\[[^\]\s/]+\]|[A-Za-z0-9._-]+):/.test(arg);
}

/** The host of a remote operand: `me@203.0.113.5:/x` → `203.0.113.5`. */
export function hostOfRemoteSpec(arg: string): string {
  const rest = arg.replace(/^[a-z]+:\/\//i, '');
  const at = rest.indexOf('@');
  const separator = rest.search(/[:/]/);
  const hostFirst = at !== -1 && (separator === -1 || at < separator) ? rest.slice(at + 1) : rest;
  const bracketed = /^\[([^\]]+)\]/.exec(hostFirst);
  return bracketed?.[1] ?? hostFirst.split(/[:/]/)[0] ?? hostFirst;
}

/** The host of a URL, adding `http://` when the scheme is missing (`curl example.com`), or null. */
export function hostOfUrl(url: string): string | null {
  try {
    const host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`).hostname;
    return host.replace(/^\[|\]$/g, '') || null;
  } catch {
    return null;
  }
}

/** Whether `host` names this machine. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === 'ip6-localhost' || h === '::1' || h === '0.0.0.0' || h.startsWith('127.');
}
