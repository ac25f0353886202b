/**
 * What the audit log records (docs/security.md "Audit"). An action is a dotted name; its first
 * segment is its group, which the auditor's screen filters on. Anything that changes
 * configuration, who may do what, or lets personal data leave in full writes one entry.
 */
export const auditActionGroups = {
  auth: { zh: '登录与会话', en: 'Sign-in and sessions' },
  admin: { zh: '用户与组织', en: 'Users and organisation' },
  config: { zh: '配置变更', en: 'Configuration changes' },
  case: { zh: '案件操作', en: 'Case actions' },
  export: { zh: '数据导出', en: 'Exports' },
  pii: { zh: '个人信息查看', en: 'Personal data shown in full' },
  service: { zh: '服务账号访问', en: 'Service-account access' },
  audit: { zh: '审计日志维护', en: 'Audit log upkeep' },
  duty: { zh: '值班值守', en: 'Duty' },
  emergency: { zh: '应急指挥', en: 'Emergency command' },
} as const;
export type AuditActionGroup = keyof typeof auditActionGroups;

/** The actions OneGrid writes today; `case.<action>` covers every step of the loop. */
export const auditActions = [
  'auth.login',
  'auth.login-failed',
  'auth.logout',
  'admin.user.create',
  'admin.user.update',
  'admin.user.password',
  'admin.department.create',
  'admin.department.update',
  'admin.department.delete',
  'admin.import',
  'config.loop-settings',
  'config.matrix',
  'config.category',
  'config.vitals',
  'config.device',
  'config.rule',
  'config.open311-key',
  'config.federation',
  'case.hand-down-remote',
  'config.notify-prefs',
  'config.camera',
  'export.assessment',
  'export.audit',
  'pii.reveal',
  'service.access',
  'service.account.create',
  'service.account.rotate',
  'service.account.disable',
  'service.token',
  'service.token-failed',
  'config.webhook',
  'audit.prune',
  'duty.shift.create',
  'duty.shift.delete',
  'duty.handover',
  'duty.log',
  'emergency.plan.create',
  'emergency.plan.update',
  'emergency.resource.create',
  'emergency.resource.update',
  'emergency.resource.delete',
  'emergency.incident.create',
  'emergency.incident.update',
  'emergency.incident.activate',
  'emergency.incident.dismiss',
  'emergency.incident.stand-down',
  'emergency.incident.link',
  'emergency.task.done',
  'emergency.report.send',
  'emergency.dispatch',
] as const;

export function auditGroupOf(action: string): AuditActionGroup | undefined {
  const g = action.split('.')[0];
  return g && g in auditActionGroups ? (g as AuditActionGroup) : undefined;
}

/** One entry as the API serves it. `hash` = SHA-256(prevHash, seq, content): see the server's audit.hash.ts. */
export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  object: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** Smallest retention the law allows (网络安全法 第二十一条: logs kept no less than six months). */
export const minAuditRetentionDays = 180;
