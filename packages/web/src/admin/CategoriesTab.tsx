/**
 * 分类与时限: the category catalogue (search, add a local category, rename, deactivate) and the
 * deadline rules (时限规则) per category and urgency, saved into the loop settings.
 */
import { type DeadlineStep, deadlineSteps } from '@onegrid/domain';
import { type FormEvent, useMemo, useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { type Translate, useI18n } from '../i18n/i18n.tsx';
import { LevelBar, Origin, ownLevel, useLevelSettings } from './levels.tsx';
import { Empty, Field, Notice, problemText, useDraft, useList, useSave } from './parts.tsx';

type Category = components['schemas']['Category'];
type LoopSettings = components['schemas']['LoopSettings'];
type DeadlineRule = LoopSettings['deadlineRules'][number];
type Limit = DeadlineRule['limits'][string];

const categoryPattern = /^(\d{5}|\d{2}|\*)$/;

export function CategoriesTab({ scope }: { scope: string }) {
  const { t } = useI18n();
  const [part, setPart] = useState<'catalogue' | 'deadlines'>('catalogue');
  return (
    <div className="ad-page">
      <div className="ad-seg" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={part === 'catalogue'}
          onClick={() => setPart('catalogue')}
        >
          {t('admin.cat.catalogue')}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={part === 'deadlines'}
          data-testid="deadlines-tab"
          onClick={() => setPart('deadlines')}
        >
          {t('admin.cat.deadlines')}
        </button>
      </div>
      {part === 'catalogue' ? <Catalogue scope={scope} /> : <Deadlines scope={scope} />}
    </div>
  );
}

/** The city's rows are the city administrators'; a district's or street's own rows belong to its subtree. */
const owns = (scope: string, c: Category) =>
  c.ownerArea ? c.ownerArea.startsWith(scope) : scope.length <= 4;

function Catalogue({ scope }: { scope: string }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<'event' | 'component'>('event');
  const { list, error, reload } = useList(
    () => unwrap(api.GET('/api/v1/categories', { params: { query: { kind, ...(q ? { q } : {}) } } })),
    [kind, q],
  );
  const [draft, setDraft, clear] = useDraft('category', { majorCode: '', name: '' });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const majors = useMemo(() => {
    const m = new Map<string, string>();
    for (const c of list ?? []) m.set(c.majorCode, c.majorName);
    return [...m].sort();
  }, [list]);
  const labels = { majorCode: t('admin.cat.major'), name: t('admin.cat.name') };
  const save = useSave(labels);

  async function add(e: FormEvent) {
    e.preventDefault();
    const p: Record<string, string> = {};
    if (!/^\d{2}$/.test(draft.majorCode))
      p.majorCode = problemText(t, 'majorCode', 'required', labels.majorCode);
    if (!draft.name.trim()) p.name = problemText(t, 'name', 'required', labels.name);
    else if (draft.name.length > 64) p.name = problemText(t, 'name', 'tooLong', labels.name);
    setProblems(p);
    if (Object.keys(p).length) return;
    const name = draft.name.trim();
    let added: Category | undefined;
    await save.run(
      async () => {
        added = await unwrap(
          api.POST('/api/v1/categories', { body: { kind, majorCode: draft.majorCode, name } }),
        );
      },
      () => {
        clear();
        reload();
        if (added)
          save.setMsg({ kind: 'ok', text: t('admin.cat.added', { code: added.code, name: added.name }) });
      },
    );
  }

  const toggle = (c: Category) =>
    save.run(
      () =>
        unwrap(
          api.PATCH('/api/v1/categories/{kind}/{code}', {
            params: { path: { kind: c.kind, code: c.code } },
            body: { active: !c.active },
          }),
        ),
      reload,
    );

  return (
    <div className="ad-split">
      <section className="ad-card ad-card--grow">
        <div className="ad-toolbar">
          <select value={kind} onChange={(e) => setKind(e.target.value as 'event' | 'component')}>
            <option value="event">{t('admin.cat.kind.event')}</option>
            <option value="component">{t('admin.cat.kind.component')}</option>
          </select>
          <input
            type="search"
            placeholder={t('admin.cat.search')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            aria-label={t('admin.cat.search')}
          />
          <span className="muted">{t('admin.count', { n: list?.length ?? 0 })}</span>
        </div>
        {error && <Notice kind="error">{error}</Notice>}
        <div className="ad-table-wrap">
          <table className="ad-table">
            <thead>
              <tr>
                <th>{t('admin.cat.code')}</th>
                <th>{t('admin.cat.name')}</th>
                <th>{t('admin.cat.major')}</th>
                <th>{t('admin.level.origin')}</th>
                <th>{t('admin.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(list ?? []).slice(0, 300).map((c) => (
                <tr key={`${c.kind}-${c.code}`} className={c.active ? '' : 'ad-row--off'}>
                  <td className="mono">{c.code}</td>
                  <td>
                    {c.name}
                    {c.local && <span className="tag">{t('admin.cat.local')}</span>}
                  </td>
                  <td>
                    <span className="mono muted">{c.majorCode}</span> {c.majorName}
                  </td>
                  <td>
                    <Origin origin={c.ownerArea ?? 'city'} level={c.ownerArea ?? ''} />
                  </td>
                  <td>{c.active ? t('admin.active') : t('admin.inactive')}</td>
                  <td className="ad-actions">
                    {owns(scope, c) && (
                      <button type="button" className="btn btn-sm btn-outline" onClick={() => void toggle(c)}>
                        {c.active ? t('admin.deactivate') : t('admin.activate')}
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
      <form className="ad-card ad-form" onSubmit={(e) => void add(e)} noValidate>
        <h2 className="ad-h">{t('admin.cat.addLocal')}</h2>
        <p className="muted">{t('admin.cat.addLocalHelp')}</p>
        <Field label={labels.majorCode} error={problems.majorCode}>
          <select value={draft.majorCode} onChange={(e) => setDraft({ majorCode: e.target.value })}>
            <option value="">—</option>
            {majors.map(([code, name]) => (
              <option key={code} value={code}>
                {code} {name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={labels.name} error={problems.name}>
          <input value={draft.name} onChange={(e) => setDraft({ name: e.target.value })} maxLength={80} />
        </Field>
        {save.notice}
        <button type="submit" className="btn btn-primary">
          {t('admin.add')}
        </button>
      </form>
    </div>
  );
}

function limitText(l: Limit | undefined, t: Translate): string {
  if (!l) return '—';
  return t('admin.dl.limit', {
    n: l.amount,
    unit: t(`admin.dl.unit.${l.unit}` as 'admin.dl.unit.days'),
    basis: l.basis === 'working' ? t('admin.dl.working') : '',
  });
}

type LimitDraft = Record<DeadlineStep, { amount: string; unit: Limit['unit']; basis: Limit['basis'] }>;

function toDraft(r: DeadlineRule): LimitDraft {
  return Object.fromEntries(
    deadlineSteps.map((s) => {
      const l = r.limits[s];
      return [
        s,
        { amount: l ? String(l.amount) : '', unit: l?.unit ?? 'hours', basis: l?.basis ?? 'working' },
      ];
    }),
  ) as LimitDraft;
}

function Deadlines({ scope }: { scope: string }) {
  const { t } = useI18n();
  const [level, setLevel] = useState(() => ownLevel(scope));
  const settings = useLevelSettings(level, scope);
  const editable = settings.data?.editable ?? false;
  // A level's own rules come last in force (layered over what it inherits): only they are edited here.
  const all = (settings.data?.effective.deadlineRules ?? []) as DeadlineRule[];
  const rules = level ? ((settings.data?.own.deadlineRules ?? []) as DeadlineRule[]) : all;
  const inherited = level ? all.slice(0, all.length - rules.length) : [];
  const [editing, setEditing] = useState<number | null>(null);
  const [limits, setLimits] = useState<LimitDraft | null>(null);
  const [limitProblems, setLimitProblems] = useState<Record<string, string>>({});
  const [draft, setDraft, clear] = useDraft('deadline-rule', { category: '', urgency: 'normal', note: '' });
  const [catProblem, setCatProblem] = useState<string | undefined>();
  const save = (next: DeadlineRule[]) => settings.put('deadlineRules', next, () => setEditing(null));

  function saveLimits(e: FormEvent) {
    e.preventDefault();
    if (editing === null || !limits) return;
    const p: Record<string, string> = {};
    const out: DeadlineRule['limits'] = {};
    for (const s of deadlineSteps) {
      const d = limits[s];
      if (!d.amount.trim()) continue;
      const n = Number(d.amount);
      if (!Number.isFinite(n) || n <= 0) p[s] = t('admin.dl.positive');
      else out[s] = { amount: n, unit: d.unit, basis: d.basis };
    }
    setLimitProblems(p);
    if (Object.keys(p).length) return;
    void save(rules.map((r, i) => (i === editing ? { ...r, limits: out } : r)));
  }

  async function add(e: FormEvent) {
    e.preventDefault();
    const c = draft.category.trim();
    if (!c) return setCatProblem(problemText(t, 'category', 'required', t('admin.dl.category')));
    if (!categoryPattern.test(c))
      return setCatProblem(problemText(t, 'category', 'pattern', t('admin.dl.category')));
    setCatProblem(undefined);
    const rule: DeadlineRule = {
      category: c,
      urgency: draft.urgency as 'normal' | 'urgent',
      limits: {},
      ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
    };
    if (await save([...rules, rule])) {
      clear();
      setEditing(rules.length);
      setLimits(toDraft(rule));
    }
  }

  return (
    <div className="ad-split">
      <section className="ad-card ad-card--grow">
        <LevelBar scope={scope} level={level} onLevel={setLevel} editable={settings.data?.editable}>
          {settings.data && <Origin origin={settings.data.origins.deadlineRules} level={level} />}
        </LevelBar>
        <p className="muted">{t('admin.dl.help')}</p>
        {settings.error && <Notice kind="error">{settings.error}</Notice>}
        {settings.notice}
        <div className="ad-table-wrap">
          <table className="ad-table ad-table--dense" data-testid="deadline-rules">
            <thead>
              <tr>
                <th>{t('admin.dl.category')}</th>
                <th>{t('admin.dl.urgency')}</th>
                {deadlineSteps.map((s) => (
                  <th key={s}>{t(`admin.dl.step.${s}` as 'admin.dl.step.filing')}</th>
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {inherited.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rules have no id; order is their identity
                <tr key={`inherited-${i}`} className="ad-row--off" data-inherited="true">
                  <td>
                    <span className="mono">{r.category === '*' ? t('admin.dl.any') : r.category}</span>
                    {r.note && <div className="muted ad-small">{r.note}</div>}
                  </td>
                  <td>
                    {r.urgency
                      ? t(`admin.dl.urgency.${r.urgency}` as 'admin.dl.urgency.normal')
                      : t('admin.dl.any')}
                  </td>
                  {deadlineSteps.map((s) => (
                    <td key={s} className="ad-nowrap">
                      {limitText(r.limits[s], t)}
                    </td>
                  ))}
                  <td className="muted ad-small">{t('admin.level.inheritedShort')}</td>
                </tr>
              ))}
              {rules.map((r, i) => (
                <tr
                  // biome-ignore lint/suspicious/noArrayIndexKey: rules have no id; order is their identity
                  key={i}
                  data-category={r.category}
                  aria-selected={editing === i}
                >
                  <td>
                    <span className="mono">{r.category === '*' ? t('admin.dl.any') : r.category}</span>
                    {r.note && <div className="muted ad-small">{r.note}</div>}
                  </td>
                  <td>
                    {r.urgency
                      ? t(`admin.dl.urgency.${r.urgency}` as 'admin.dl.urgency.normal')
                      : t('admin.dl.any')}
                  </td>
                  {deadlineSteps.map((s) => (
                    <td key={s} className="ad-nowrap">
                      {limitText(r.limits[s], t)}
                    </td>
                  ))}
                  <td className="ad-actions">
                    <button
                      type="button"
                      className="btn btn-sm btn-outline"
                      disabled={!editable}
                      onClick={() => {
                        setEditing(i);
                        setLimits(toDraft(r));
                        setLimitProblems({});
                      }}
                    >
                      {t('admin.edit')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <div className="ad-side">
        {editing !== null && limits && rules[editing] ? (
          <form className="ad-card ad-form" onSubmit={saveLimits} noValidate data-testid="deadline-form">
            <h2 className="ad-h">
              {t('admin.dl.editing', {
                category: rules[editing].category === '*' ? t('admin.dl.any') : rules[editing].category,
              })}
            </h2>
            {deadlineSteps.map((s) => (
              <Field
                key={s}
                label={t(`admin.dl.step.${s}` as 'admin.dl.step.filing')}
                error={limitProblems[s]}
              >
                <span className="ad-inline">
                  <input
                    className="ad-num"
                    inputMode="decimal"
                    value={limits[s].amount}
                    data-step={s}
                    onChange={(e) => setLimits({ ...limits, [s]: { ...limits[s], amount: e.target.value } })}
                  />
                  <select
                    value={limits[s].unit}
                    onChange={(e) =>
                      setLimits({ ...limits, [s]: { ...limits[s], unit: e.target.value as Limit['unit'] } })
                    }
                  >
                    <option value="minutes">{t('admin.dl.unit.minutes')}</option>
                    <option value="hours">{t('admin.dl.unit.hours')}</option>
                    <option value="days">{t('admin.dl.unit.days')}</option>
                  </select>
                  <select
                    value={limits[s].basis}
                    onChange={(e) =>
                      setLimits({ ...limits, [s]: { ...limits[s], basis: e.target.value as Limit['basis'] } })
                    }
                  >
                    <option value="working">{t('admin.dl.basis.working')}</option>
                    <option value="natural">{t('admin.dl.basis.natural')}</option>
                  </select>
                </span>
              </Field>
            ))}
            <div className="ad-buttons">
              <button type="button" className="btn btn-outline" onClick={() => setEditing(null)}>
                {t('form.cancel')}
              </button>
              <button type="submit" className="btn btn-primary">
                {t('admin.save')}
              </button>
            </div>
          </form>
        ) : (
          <form className="ad-card ad-form" onSubmit={(e) => void add(e)} noValidate>
            <h2 className="ad-h">{t('admin.dl.add')}</h2>
            <Field label={t('admin.dl.category')} error={catProblem}>
              <input
                value={draft.category}
                placeholder="06010 / 06 / *"
                onChange={(e) => setDraft({ category: e.target.value })}
              />
            </Field>
            <Field label={t('admin.dl.urgency')}>
              <select value={draft.urgency} onChange={(e) => setDraft({ urgency: e.target.value })}>
                <option value="normal">{t('admin.dl.urgency.normal')}</option>
                <option value="urgent">{t('admin.dl.urgency.urgent')}</option>
              </select>
            </Field>
            <Field label={t('admin.note')}>
              <input
                value={draft.note}
                onChange={(e) => setDraft({ note: e.target.value })}
                maxLength={100}
              />
            </Field>
            <button type="submit" className="btn btn-primary" disabled={!editable}>
              {t('admin.add')}
            </button>
          </form>
        )}
      </div>
    </div>
  );
}
