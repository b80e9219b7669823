import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPolicyHolder, PolicyLoadError, type PolicyReload } from '../../../src/engine/gateway/load-policy.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/policies');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-policy-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const BAD_STATUS = 'SPEC-DOCS:\n  title: Documentation\n  status: live\n  roles: [developer]\n  action_types: [read_file]\n  paths: [docs/]\n';

describe('createPolicyHolder', () => {
  it('holds no policy, and the reason, when none ever loaded', async () => {
    const holder = createPolicyHolder({ dir: path.join(dir, 'missing') });
    expect(holder.current()).toBeNull();
    const result = await holder.reload();
    expect(result.ok).toBe(false);
    expect(holder.current()).toBeNull();
    expect(holder.lastError()).toBeInstanceOf(PolicyLoadError);
  });

  it('keeps the last good policy when a file breaks, reports the error, and recovers when it is fixed', async () => {
    cpSync(path.join(FIXTURES, 'good-yaml'), dir, { recursive: true });
    const seen: PolicyReload[] = [];
    const holder = createPolicyHolder({ dir, onReload: (r) => seen.push(r) });

    const first = await holder.reload();
    expect(first).toMatchObject({ ok: true, changed: true });
    const good = holder.current();
    expect(good?.specs.get('SPEC-DOCS')?.status).toBe('active');

    writeFileSync(path.join(dir, 'specs.yaml'), BAD_STATUS);
    // A second broken file in the same edit: nothing from either may leak into the active policy.
    writeFileSync(path.join(dir, 'protected.yaml'), 'protected_paths: []\n');
    const broken = await holder.reload();
    expect(broken.ok).toBe(false);
    expect(holder.current()).toBe(good);
    expect(holder.current()?.protectedPaths).toEqual(['.git/', 'secrets/']);
    expect(holder.lastError()?.problems).toEqual([
      { file: 'specs.yaml', field: 'SPEC-DOCS.status', message: 'must be one of draft, approved, active, suspended, retired, got "live"' },
    ]);

    cpSync(path.join(FIXTURES, 'good-yaml', 'specs.yaml'), path.join(dir, 'specs.yaml'));
    const fixed = await holder.reload();
    expect(fixed).toMatchObject({ ok: true, changed: true });
    expect(holder.lastError()).toBeNull();
    expect(holder.current()?.protectedPaths).toEqual([]);
    expect(seen.map((r) => r.ok)).toEqual([true, false, true]);
  });

  it('reports an unchanged policy as unchanged', async () => {
    cpSync(path.join(FIXTURES, 'good-yaml'), dir, { recursive: true });
    const holder = createPolicyHolder({ dir });
    await holder.reload();
    expect(await holder.reload()).toMatchObject({ ok: true, changed: false });
  });

  it('applies reloads in call order, so a slow early load never replaces a later one', async () => {
    cpSync(path.join(FIXTURES, 'good-yaml'), dir, { recursive: true });
    const holder = createPolicyHolder({ dir });
    const a = holder.reload();
    const b = holder.reload();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.ok && rb.ok && holder.current()).toBe(rb.ok ? rb.policy : null);
  });

  it('reloads on its own when a file in the folder changes', async () => {
    cpSync(path.join(FIXTURES, 'good-yaml'), dir, { recursive: true });
    let notify: (r: PolicyReload) => void = () => {};
    const holder = createPolicyHolder({ dir, debounceMs: 20, onReload: (r) => notify(r) });
    await holder.reload();
    const stop = holder.watch();
    try {
      const next = new Promise<PolicyReload>((resolve) => {
        notify = resolve;
      });
      writeFileSync(path.join(dir, 'specs.yaml'), BAD_STATUS);
      const result = await next;
      expect(result.ok).toBe(false);
      expect(holder.current()?.specs.get('SPEC-DOCS')?.status).toBe('active');
    } finally {
      stop();
    }
  });
});
