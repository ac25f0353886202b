import { describe, expect, it } from 'vitest';
import { inScope } from './areas.ts';
import { caseSources } from './cases/sources.ts';
import { can, capabilities, reportableSources, roleCapabilities, rolesWith, sourceFor } from './policy.ts';
import { roles } from './roles.ts';

describe('the access policy', () => {
  it('gives every role known capabilities only', () => {
    for (const role of roles) {
      for (const c of roleCapabilities[role]) expect(capabilities).toContain(c);
    }
  });

  it('separates the three administrators (三员分立): none holds another one’s work', () => {
    expect(rolesWith('config:write')).toEqual(['admin']);
    expect(rolesWith('users:manage')).toEqual(['security']);
    expect(rolesWith('audit:read')).toEqual(['auditor']);
    for (const role of ['security', 'auditor'] as const) {
      for (const c of ['cases:read', 'cases:report', 'cases:act', 'iot:read', 'command:view'] as const) {
        expect(can(role, c), `${role} ${c}`).toBe(false);
      }
    }
  });

  it('checks scope by code prefix, for a scope code or a principal', () => {
    const hp = { role: 'operator' as const, scopeCode: '310101' };
    expect(inScope(hp, '310101002001003')).toBe(true);
    expect(inScope(hp, '310104001')).toBe(false);
    expect(inScope('3101', '310104001')).toBe(true);
    expect(inScope(hp, null)).toBe(false);
  });

  it('lets a person report only as their role may; machine and federation sources never', () => {
    expect(sourceFor('inspector')).toBe('inspector');
    expect(sourceFor('inspector', 'camera')).toBeUndefined();
    expect(sourceFor('handler', 'camera')).toBeUndefined();
    expect(sourceFor('handler')).toBe('department');
    expect(sourceFor('operator', 'public')).toBe('public');
    expect(sourceFor('security')).toBeUndefined();
    for (const role of roles) {
      for (const s of ['iot', 'camera', 'higher-platform', 'open311'] as const) {
        expect(reportableSources[role], `${role} as ${s}`).not.toContain(s);
      }
      for (const s of reportableSources[role]) expect(caseSources).toContain(s);
    }
  });
});
