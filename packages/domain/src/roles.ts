/** The people in the loop (see PRODUCT.md, "Who uses it"). */
export const roles = ['admin', 'leader', 'operator', 'dispatcher', 'handler', 'inspector'] as const;
export type Role = (typeof roles)[number];

export const roleNames: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '系统管理员', en: 'Administrator' },
  leader: { zh: '领导', en: 'Leader' },
  operator: { zh: '受理员/值班长', en: 'Operator' },
  dispatcher: { zh: '派遣员', en: 'Dispatcher' },
  handler: { zh: '专业部门', en: 'Department handler' },
  inspector: { zh: '网格监督员', en: 'Grid inspector' },
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}
