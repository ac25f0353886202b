/** The people in the loop (see PRODUCT.md, "Who uses it"). */
/**
 * `admin`, `security` and `auditor` are the three separated administrators of MLPS level 3
 * (三员分立): configuration; users, passwords and sessions; the audit log. No one of them can do
 * another's work.
 */
export const roles = [
  'admin',
  'security',
  'auditor',
  'leader',
  'operator',
  'dispatcher',
  'handler',
  'inspector',
] as const;
export type Role = (typeof roles)[number];

export const roleNames: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '系统管理员', en: 'Administrator' },
  security: { zh: '安全管理员', en: 'Security administrator' },
  auditor: { zh: '审计管理员', en: 'Auditor' },
  leader: { zh: '领导', en: 'Leader' },
  operator: { zh: '受理员/值班长', en: 'Operator' },
  dispatcher: { zh: '派遣员', en: 'Dispatcher' },
  handler: { zh: '专业部门', en: 'Department handler' },
  inspector: { zh: '网格监督员', en: 'Grid inspector' },
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}
