import { describe, expect, it } from 'vitest';
import { checkPassword } from './password-policy.ts';

describe('password policy', () => {
  it('refuses the weak passwords an attacker tries first, Chinese favourites included', () => {
    const weak: [string, string][] = [
      ['12345678', 'common'],
      ['password', 'common'],
      ['PassWord', 'common'],
      ['woaini1314', 'common'],
      ['a1234567', 'common'],
      ['qwertyuiop', 'common'],
      ['1qaz2wsx', 'common'],
      ['        ', 'repeated'],
      ['aaaaaaaaaa', 'repeated'],
      ['abababab', 'repeated'],
      ['123456', 'tooShort'],
      ['qwerty', 'tooShort'],
      ['', 'required'],
      ['x'.repeat(257), 'tooLong'],
    ];
    for (const [pw, problem] of weak) expect([pw, checkPassword(pw)]).toEqual([pw, problem]);
  });

  it('refuses the username, reversed, or with a few characters around it', () => {
    expect(checkPassword('zhangsan', 'zhangsan')).toBe('sameAsUsername');
    expect(checkPassword('ZhangSan', 'zhangsan')).toBe('sameAsUsername');
    expect(checkPassword('nasgnahz', 'zhangsan')).toBe('sameAsUsername');
    expect(checkPassword('zhangsan123', 'zhangsan')).toBe('sameAsUsername');
    expect(checkPassword('zhangsan-likes-long-walks', 'zhangsan')).toBeUndefined();
  });

  it('takes a long passphrase and counts characters, not bytes', () => {
    expect(checkPassword('correct horse battery staple', 'alice')).toBeUndefined();
    expect(checkPassword('城市网格管理员七号', 'alice')).toBeUndefined();
    expect(checkPassword('城市网格', 'alice')).toBe('tooShort');
  });
});
