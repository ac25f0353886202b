/**
 * 用户: accounts, roles and scopes — create, change, reset the password, deactivate; unlock after
 * failed logins, end a user's sessions, reset a lost second factor. The security administrator's tab.
 */
import { checkPassword, checkUser, roleNames, roles } from '@onegrid/domain';
import { type FormEvent, useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { AreaSelect } from './DepartmentsTab.tsx';
import {
  apiErrorText,
  Empty,
  Field,
  Notice,
  problemText,
  problemTexts,
  useDraft,
  useList,
} from './parts.tsx';

type AdminUser = components['schemas']['AdminUser'];
type Role = AdminUser['role'];

const empty = {
  editing: 0,
  username: '',
  displayName: '',
  password: '',
  role: 'operator',
  scopeCode: '',
  departmentCode: '',
  phone: '',
};

export function UsersTab() {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const { list, error, reload } = useList(
    () =>
      unwrap(
        api.GET('/api/v1/admin/users', {
          params: { query: { ...(q ? { q } : {}), ...(role ? { role } : {}) } },
        }),
      ),
    [q, role],
  );
  const departments = useList(() => unwrap(api.GET('/api/v1/admin/departments')));
  const [draft, setDraft, clear] = useDraft('user', empty, ['password']);
  const [resetFor, setResetFor] = useState<AdminUser | null>(null);
  const [newPassword, setNewPassword] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const editing = draft.editing || null;
  const labels = {
    username: t('admin.user.username'),
    displayName: t('admin.user.displayName'),
    password: t('admin.user.password'),
    role: t('admin.user.role'),
    scopeCode: t('admin.user.scope'),
    departmentCode: t('admin.user.department'),
    phone: t('admin.phone'),
  };

  function edit(u: AdminUser) {
    setResetFor(null);
    setProblems({});
    setMsg(null);
    setDraft({
      editing: u.id,
      username: u.username,
      displayName: u.displayName,
      password: '',
      role: u.role,
      scopeCode: u.scopeCode,
      departmentCode: u.departmentCode ?? '',
      phone: u.phone ?? '',
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const common = {
      displayName: draft.displayName.trim(),
      role: draft.role as Role,
      scopeCode: draft.scopeCode,
      departmentCode: draft.departmentCode || null,
      phone: draft.phone.trim() || null,
    };
    const p = editing
      ? checkUser(common, false)
      : checkUser({ ...common, username: draft.username.trim(), password: draft.password }, true);
    if (editing && common.role === 'handler' && !common.departmentCode) p.departmentCode = 'departmentNeeded';
    setProblems(problemTexts(t, p, labels));
    if (Object.keys(p).length) return;
    try {
      const u = editing
        ? await unwrap(
            api.PATCH('/api/v1/admin/users/{id}', { params: { path: { id: editing } }, body: common }),
          )
        : await unwrap(
            api.POST('/api/v1/admin/users', {
              body: { ...common, username: draft.username.trim(), password: draft.password },
            }),
          );
      clear();
      setMsg({ kind: 'ok', text: t('admin.user.saved', { name: u.displayName }) });
      reload();
    } catch (err) {
      setMsg({ kind: 'error', text: apiErrorText(t, err, labels) });
    }
  }

  async function toggle(u: AdminUser) {
    try {
      await unwrap(
        api.PATCH('/api/v1/admin/users/{id}', {
          params: { path: { id: u.id } },
          body: { active: !u.active },
        }),
      );
      reload();
    } catch (err) {
      setMsg({ kind: 'error', text: apiErrorText(t, err) });
    }
  }

  /** Unlock, end sessions, reset the second factor: one click, then a notice. */
  async function lever(u: AdminUser, what: 'unlock' | 'revoke' | 'totp') {
    setMsg(null);
    try {
      const path = { params: { path: { id: u.id } } };
      if (what === 'unlock') {
        await unwrap(api.POST('/api/v1/admin/users/{id}/unlock', path));
        setMsg({ kind: 'ok', text: t('admin.user.unlocked', { name: u.displayName }) });
      } else if (what === 'revoke') {
        const r = await unwrap(api.POST('/api/v1/admin/users/{id}/revoke-sessions', path));
        setMsg({ kind: 'ok', text: t('admin.user.revoked', { name: u.displayName, n: r.ended }) });
      } else {
        await unwrap(api.DELETE('/api/v1/admin/users/{id}/totp', path));
        setMsg({ kind: 'ok', text: t('admin.user.totpReset', { name: u.displayName }) });
      }
      reload();
    } catch (err) {
      setMsg({ kind: 'error', text: apiErrorText(t, err) });
    }
  }

  async function resetPassword(e: FormEvent) {
    e.preventDefault();
    if (!resetFor) return;
    const p = checkPassword(newPassword, resetFor.username);
    setProblems(p ? { newPassword: problemText(t, 'password', p, labels.password) } : {});
    if (p) return;
    try {
      await unwrap(
        api.POST('/api/v1/admin/users/{id}/password', {
          params: { path: { id: resetFor.id } },
          body: { password: newPassword },
        }),
      );
      setMsg({ kind: 'ok', text: t('admin.user.passwordSet', { name: resetFor.displayName }) });
      setResetFor(null);
      setNewPassword('');
    } catch (err) {
      setMsg({ kind: 'error', text: apiErrorText(t, err, labels) });
    }
  }

  return (
    <div className="ad-split">
      <section className="ad-card ad-card--grow">
        <div className="ad-toolbar">
          <input
            type="search"
            placeholder={t('admin.user.search')}
            aria-label={t('admin.user.search')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <select
            value={role}
            onChange={(e) => setRole(e.target.value as Role | '')}
            aria-label={labels.role}
          >
            <option value="">{t('admin.user.allRoles')}</option>
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleNames[r][lang]}
              </option>
            ))}
          </select>
          <span className="muted">{t('admin.count', { n: list?.length ?? 0 })}</span>
        </div>
        {error && <Notice kind="error">{error}</Notice>}
        <div className="ad-table-wrap">
          <table className="ad-table" data-testid="users">
            <thead>
              <tr>
                <th>{labels.username}</th>
                <th>{labels.displayName}</th>
                <th>{labels.role}</th>
                <th>{labels.scopeCode}</th>
                <th>{labels.departmentCode}</th>
                <th>{t('admin.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(list ?? []).map((u) => (
                <tr key={u.id} className={u.active ? '' : 'ad-row--off'} aria-selected={editing === u.id}>
                  <td className="mono">{u.username}</td>
                  <td>{u.displayName}</td>
                  <td>{roleNames[u.role][lang]}</td>
                  <td>{u.scopeName ?? u.scopeCode}</td>
                  <td>{u.departmentName ?? '—'}</td>
                  <td data-testid="user-status">
                    {u.active ? t('admin.active') : t('admin.inactive')}
                    {u.locked && <span className="tag tag--urgent"> {t('admin.user.locked')}</span>}
                    {u.totpEnabled && <span className="tag ad-tag--ok"> {t('admin.user.totp')}</span>}
                  </td>
                  <td className="ad-actions">
                    <button type="button" className="btn btn-sm btn-outline" onClick={() => edit(u)}>
                      {t('admin.edit')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-sm btn-outline"
                      onClick={() => {
                        setResetFor(u);
                        setProblems({});
                        setMsg(null);
                      }}
                    >
                      {t('admin.user.reset')}
                    </button>
                    <button type="button" className="btn btn-sm btn-outline" onClick={() => void toggle(u)}>
                      {u.active ? t('admin.deactivate') : t('admin.activate')}
                    </button>
                    {u.locked && (
                      <button
                        type="button"
                        className="btn btn-sm btn-primary"
                        data-testid="unlock"
                        onClick={() => void lever(u, 'unlock')}
                      >
                        {t('admin.user.unlock')}
                      </button>
                    )}
                    <button
                      type="button"
                      className="btn btn-sm btn-outline"
                      onClick={() => void lever(u, 'revoke')}
                    >
                      {t('admin.user.revoke')}
                    </button>
                    {u.totpEnabled && (
                      <button
                        type="button"
                        className="btn btn-sm btn-outline"
                        onClick={() => void lever(u, 'totp')}
                      >
                        {t('admin.user.resetTotp')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list && list.length === 0 && <Empty>{t('admin.none')}</Empty>}
        </div>
      </section>
      {resetFor ? (
        <form className="ad-card ad-form" onSubmit={(e) => void resetPassword(e)} noValidate>
          <h2 className="ad-h">{t('admin.user.resetFor', { name: resetFor.displayName })}</h2>
          <p className="muted ad-small">{t('admin.user.resetHelp')}</p>
          <Field label={t('admin.user.newPassword')} error={problems.newPassword}>
            <input
              type="password"
              autoComplete="new-password"
              value={newPassword}
              onChange={(e) => setNewPassword(e.target.value)}
            />
          </Field>
          {msg && <Notice kind={msg.kind}>{msg.text}</Notice>}
          <div className="ad-buttons">
            <button type="button" className="btn btn-outline" onClick={() => setResetFor(null)}>
              {t('form.cancel')}
            </button>
            <button type="submit" className="btn btn-primary">
              {t('admin.user.reset')}
            </button>
          </div>
        </form>
      ) : (
        <form className="ad-card ad-form" onSubmit={(e) => void submit(e)} noValidate data-testid="user-form">
          <h2 className="ad-h">
            {editing ? t('admin.user.edit', { name: draft.username }) : t('admin.user.new')}
          </h2>
          <Field label={labels.username} error={problems.username}>
            <input
              name="username"
              value={draft.username}
              disabled={!!editing}
              autoComplete="off"
              onChange={(e) => setDraft({ username: e.target.value })}
            />
          </Field>
          <Field label={labels.displayName} error={problems.displayName}>
            <input
              name="displayName"
              value={draft.displayName}
              onChange={(e) => setDraft({ displayName: e.target.value })}
            />
          </Field>
          {!editing && (
            <Field label={labels.password} error={problems.password}>
              <input
                name="password"
                type="password"
                autoComplete="new-password"
                value={draft.password}
                onChange={(e) => setDraft({ password: e.target.value })}
              />
            </Field>
          )}
          <Field label={labels.role} error={problems.role}>
            <select name="role" value={draft.role} onChange={(e) => setDraft({ role: e.target.value })}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleNames[r][lang]}
                </option>
              ))}
            </select>
          </Field>
          <Field label={labels.scopeCode} error={problems.scopeCode}>
            <AreaSelect value={draft.scopeCode} onChange={(scopeCode) => setDraft({ scopeCode })} />
          </Field>
          <Field label={labels.departmentCode} error={problems.departmentCode}>
            <select
              name="departmentCode"
              value={draft.departmentCode}
              onChange={(e) => setDraft({ departmentCode: e.target.value })}
            >
              <option value="">—</option>
              {(departments.list ?? [])
                .filter((d) => d.active)
                .map((d) => (
                  <option key={d.code} value={d.code}>
                    {d.name}
                  </option>
                ))}
            </select>
          </Field>
          <Field label={labels.phone} error={problems.phone}>
            <input name="phone" value={draft.phone} onChange={(e) => setDraft({ phone: e.target.value })} />
          </Field>
          {msg && <Notice kind={msg.kind}>{msg.text}</Notice>}
          <div className="ad-buttons">
            {editing && (
              <button type="button" className="btn btn-outline" onClick={clear}>
                {t('form.cancel')}
              </button>
            )}
            <button type="submit" className="btn btn-primary">
              {editing ? t('admin.save') : t('admin.create')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
