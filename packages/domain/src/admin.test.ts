import { describe, expect, it } from 'vitest';
import { checkPassword } from './accounts/password-policy.ts';
import { checkDateOrRange, checkDepartment, checkUser, usernamePattern } from './admin.ts';

describe('admin form checks (shared by the server and the web forms)', () => {
  it('checks a new user like the users table and the API do', () => {
    const ok = {
      username: 'wang.wei',
      displayName: '王伟',
      password: 'long-enough',
      role: 'operator',
      scopeCode: '310101',
    };
    expect(checkUser(ok, true)).toEqual({});
    expect(checkUser({ ...ok, username: 'Wang Wei' }, true)).toEqual({ username: 'pattern' });
    expect(checkUser({ ...ok, username: 'w' }, true)).toEqual({ username: 'pattern' });
    expect(checkUser({ ...ok, password: 'short' }, true)).toEqual({ password: 'tooShort' });
    expect(checkUser({ ...ok, role: 'king' }, true)).toEqual({ role: 'invalid' });
    expect(checkUser({ ...ok, scopeCode: '31010' }, true)).toEqual({ scopeCode: 'pattern' });
    expect(checkUser({ ...ok, role: 'handler' }, true)).toEqual({ departmentCode: 'departmentNeeded' });
    // A change checks only what it carries.
    expect(checkUser({ displayName: ' ' }, false)).toEqual({ displayName: 'required' });
    expect(checkUser({ role: 'leader' }, false)).toEqual({});
    expect(new RegExp(usernamePattern).test('a'.repeat(64))).toBe(true);
    expect(new RegExp(usernamePattern).test('a'.repeat(65))).toBe(false);
  });

  it('checks passwords, departments and calendar dates', () => {
    expect(checkPassword('')).toBe('required');
    expect(checkPassword('x'.repeat(257))).toBe('tooLong');
    expect(checkDepartment({ code: '310101-fxb', name: '防汛办', areaCode: '310101' }, true)).toEqual({});
    expect(checkDepartment({ code: '310101_FXB', name: '', areaCode: '3101011' }, true)).toEqual({
      code: 'pattern',
      name: 'required',
      areaCode: 'pattern',
    });
    expect(checkDepartment({ creditCode: '91310000MA1FL0000O' }, false)).toEqual({ creditCode: 'pattern' });
    expect(checkDepartment({ creditCode: '91310000MA1FL00001' }, false)).toEqual({});
    expect(checkDateOrRange('2026-10-01')).toBeUndefined();
    expect(checkDateOrRange('2026-10-01..2026-10-07')).toBeUndefined();
    expect(checkDateOrRange('2026-02-30')).toBe('invalid');
    expect(checkDateOrRange('2026-10-07..2026-10-01')).toBe('invalid');
    expect(checkDateOrRange('2026/10/01')).toBe('pattern');
    expect(checkDateOrRange('')).toBe('required');
  });
});
