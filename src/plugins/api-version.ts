/**
 * Plugin API compatibility (issue "tagging" A.4, CONVENTIONS "Plugins"): a plugin written for API
 * `M.m.p` loads on a host providing `M'.m'.p'` when `M === M'` and `m' >= m`. Versions are compared as
 * numbers, so 1.10 is newer than 1.9; the patch level never matters.
 */

/** `MAJOR.MINOR.PATCH`, digits only, no leading zeros: the shape `apiVersion` must have. */
export const API_VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export interface ApiVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** Reads `"1.2.3"` as numbers; throws naming the value when it is not `MAJOR.MINOR.PATCH`. */
export function parseApiVersion(value: string): ApiVersion {
  const match = API_VERSION_PATTERN.exec(value);
  if (!match) throw new Error(`plugin API version must look like "1.0.0", got ${JSON.stringify(value)}`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/**
 * Null when a plugin written for `pluginVersion` can run on a host providing `hostVersion`; otherwise
 * the reason, quoting both versions and saying what to do. Both must match {@link API_VERSION_PATTERN}
 * (the manifest check guarantees it for plugins).
 */
export function checkApiVersion(pluginVersion: string, hostVersion: string): string | null {
  const plugin = parseApiVersion(pluginVersion);
  const host = parseApiVersion(hostVersion);
  const written = `written for plugin API ${pluginVersion} but this Gatehouse provides ${hostVersion}`;
  if (plugin.major > host.major) {
    return `${written}; install a plugin release for API ${host.major}.x or upgrade Gatehouse`;
  }
  if (plugin.major < host.major) {
    return `${written}; install a plugin release for API ${host.major}.x (or ask its author for one)`;
  }
  if (plugin.minor > host.minor) {
    return `${written}, which lacks what API ${plugin.major}.${plugin.minor} added; upgrade Gatehouse or install a plugin release for API ${host.major}.${host.minor}`;
  }
  return null;
}
