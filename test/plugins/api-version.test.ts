import { describe, expect, it } from 'vitest';
import { checkApiVersion, parseApiVersion } from '../../src/plugins/api-version.ts';
import { PLUGIN_API_VERSION } from '../../src/plugins/api.ts';

describe('plugin API version compatibility', () => {
  it('accepts the same major with a host minor at least the plugin minor, whatever the patch', () => {
    expect(checkApiVersion('1.0.0', '1.0.0')).toBeNull();
    expect(checkApiVersion('1.0.7', '1.0.0')).toBeNull();
    expect(checkApiVersion('1.2.0', '1.3.0')).toBeNull();
  });

  it('compares numerically, so 1.10 is newer than 1.9', () => {
    expect(checkApiVersion('1.9.0', '1.10.0')).toBeNull();
    expect(checkApiVersion('1.10.0', '1.9.0')).toBe(
      'written for plugin API 1.10.0 but this Gatehouse provides 1.9.0, which lacks what API 1.10 added; upgrade Gatehouse or install a plugin release for API 1.9',
    );
  });

  it('refuses a newer major and quotes both versions and what to do', () => {
    expect(checkApiVersion('2.0.0', '1.0.0')).toBe('written for plugin API 2.0.0 but this Gatehouse provides 1.0.0; install a plugin release for API 1.x or upgrade Gatehouse');
  });

  it('refuses an older major', () => {
    expect(checkApiVersion('1.4.0', '2.0.0')).toBe('written for plugin API 1.4.0 but this Gatehouse provides 2.0.0; install a plugin release for API 2.x (or ask its author for one)');
  });

  it('refuses a plugin minor newer than the host minor', () => {
    expect(checkApiVersion('1.1.0', '1.0.0')).toBe(
      'written for plugin API 1.1.0 but this Gatehouse provides 1.0.0, which lacks what API 1.1 added; upgrade Gatehouse or install a plugin release for API 1.0',
    );
  });

  it('reads only MAJOR.MINOR.PATCH digits', () => {
    expect(parseApiVersion('1.20.3')).toEqual({ major: 1, minor: 20, patch: 3 });
    expect(() => parseApiVersion('1.0')).toThrow('plugin API version must look like "1.0.0", got "1.0"');
    expect(() => parseApiVersion('01.0.0')).toThrow('got "01.0.0"');
    expect(() => parseApiVersion('1.0.0-beta')).toThrow('got "1.0.0-beta"');
  });

  it('is compatible with the version this host provides', () => {
    expect(checkApiVersion(PLUGIN_API_VERSION, PLUGIN_API_VERSION)).toBeNull();
  });
});
