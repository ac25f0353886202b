/**
 * 责任矩阵: category × area → department rules, and the tester: pick a point on the map (or type
 * its coordinates) and a category, and see which department would get it and by which rule.
 */
import { type GeoJSONSource, type MapLibreMap, NavigationControl } from 'maplibre-gl';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { createMap } from '../map/factory.ts';
import { buildStyle } from '../map/style.ts';
import { AreaSelect, loadAreas } from './DepartmentsTab.tsx';
import { Origin } from './levels.tsx';
import { apiErrorText, Empty, Field, Notice, problemText, useDraft, useList, useSave } from './parts.tsx';

type Proposal = components['schemas']['MatrixRule'];
const rulePattern = /^(\d{5}|\d{2}|\*)$/;

function PickMap({
  point,
  onPick,
}: {
  point: [number, number] | null;
  onPick(lng: number, lat: number): void;
}) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<MapLibreMap | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (!el.current) return;
    let m: MapLibreMap;
    try {
      m = createMap({ container: el.current, style: buildStyle(window.location.origin), zoom: 11 });
    } catch {
      return;
    }
    map.current = m;
    m.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    m.on('load', () => {
      m.addSource('pick', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      m.addLayer({
        id: 'pick',
        type: 'circle',
        source: 'pick',
        paint: {
          'circle-radius': 7,
          'circle-color': '#c2410c',
          'circle-stroke-color': '#fff',
          'circle-stroke-width': 2,
        },
      });
      setReady(true);
    });
    m.on('click', (e) => pick.current(Number(e.lngLat.lng.toFixed(6)), Number(e.lngLat.lat.toFixed(6))));
    return () => {
      map.current = null;
      m.remove();
    };
  }, []);
  useEffect(() => {
    const m = map.current;
    if (!m || !ready) return;
    // Typed coordinates outside the view bring the view to them.
    if (point && !m.getBounds().contains(point)) m.easeTo({ center: point, duration: 300 });
    m.getSource<GeoJSONSource>('pick')?.setData({
      type: 'FeatureCollection',
      features: point
        ? [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: point } }]
        : [],
    });
  }, [point, ready]);
  return <div ref={el} className="ad-map" data-testid="pick-map" data-ready={ready ? 'true' : 'false'} />;
}

export default function MatrixTab() {
  const { t } = useI18n();
  const { list, error, reload } = useList(() => unwrap(api.GET('/api/v1/dispatch/matrix')));
  const departments = useList(() => unwrap(api.GET('/api/v1/admin/departments')));
  const areas = useList(loadAreas);
  const areaName = (code: string) => areas.list?.find((a) => a.code === code)?.name;
  const [draft, setDraft, clear] = useDraft('matrix-rule', {
    category: '',
    areaCode: '',
    departmentCode: '',
    autoDispatch: false,
    note: '',
  });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const labels = {
    category: t('admin.mx.category'),
    areaCode: t('admin.mx.area'),
    departmentCode: t('admin.mx.department'),
    lng: t('admin.mx.lng'),
    lat: t('admin.mx.lat'),
  };
  const save = useSave(labels);

  async function add(e: FormEvent) {
    e.preventDefault();
    const p: Record<string, string> = {};
    const c = draft.category.trim();
    if (!c) p.category = problemText(t, 'category', 'required', labels.category);
    else if (!rulePattern.test(c)) p.category = problemText(t, 'category', 'pattern', labels.category);
    if (!draft.areaCode) p.areaCode = problemText(t, 'areaCode', 'required', labels.areaCode);
    if (!draft.departmentCode)
      p.departmentCode = problemText(t, 'departmentCode', 'required', labels.departmentCode);
    setProblems(p);
    if (Object.keys(p).length) return;
    await save.run(
      () =>
        unwrap(
          api.PUT('/api/v1/dispatch/matrix', {
            body: {
              category: c,
              areaCode: draft.areaCode,
              departmentCode: draft.departmentCode,
              autoDispatch: draft.autoDispatch,
              ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
            },
          }),
        ),
      () => {
        clear();
        reload();
      },
    );
  }

  const remove = (r: Proposal) =>
    save.run(
      () => unwrap(api.DELETE('/api/v1/dispatch/matrix/{id}', { params: { path: { id: r.id } } })),
      reload,
    );

  return (
    <div className="ad-split ad-split--matrix">
      <div className="ad-stack ad-card--grow">
        <section className="ad-card ad-card--grow">
          {error && <Notice kind="error">{error}</Notice>}
          <div className="ad-table-wrap ad-table-wrap--short">
            <table className="ad-table" data-testid="matrix">
              <thead>
                <tr>
                  <th>{labels.category}</th>
                  <th>{labels.areaCode}</th>
                  <th>{labels.departmentCode}</th>
                  <th>{t('admin.mx.auto')}</th>
                  <th>{t('admin.level.origin')}</th>
                  <th>{t('admin.note')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {(list ?? []).map((r) => (
                  <tr key={r.id} data-rule={r.id} data-inherited={r.inherited ? 'true' : 'false'}>
                    <td className="mono">{r.category === '*' ? t('admin.dl.any') : r.category}</td>
                    <td>
                      {areaName(r.areaCode) ?? ''} <span className="mono muted">{r.areaCode}</span>
                    </td>
                    <td>{r.departmentName}</td>
                    <td>{r.autoDispatch ? t('admin.yes') : t('admin.no')}</td>
                    <td>
                      {r.inherited ? (
                        <Origin origin={r.areaCode.length <= 4 ? 'city' : r.areaCode} level="" />
                      ) : (
                        <span className="tag tag--own">{t('admin.level.own')}</span>
                      )}
                    </td>
                    <td className="muted">{r.note ?? ''}</td>
                    <td className="ad-actions">
                      {r.editable && (
                        <button
                          type="button"
                          className="btn btn-sm btn-danger"
                          onClick={() => void remove(r)}
                        >
                          {t('admin.remove')}
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
        <form
          className="ad-card ad-form ad-form--row"
          onSubmit={(e) => void add(e)}
          noValidate
          data-testid="matrix-form"
        >
          <h2 className="ad-h">{t('admin.mx.add')}</h2>
          <div className="ad-row">
            <Field label={labels.category} error={problems.category}>
              <input
                name="category"
                value={draft.category}
                placeholder="06010 / 06 / *"
                onChange={(e) => setDraft({ category: e.target.value })}
              />
            </Field>
            <Field label={labels.areaCode} error={problems.areaCode}>
              <AreaSelect value={draft.areaCode} onChange={(areaCode) => setDraft({ areaCode })} />
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
            <label className="ad-check">
              <input
                type="checkbox"
                checked={draft.autoDispatch}
                onChange={(e) => setDraft({ autoDispatch: e.target.checked })}
              />
              {t('admin.mx.auto')}
            </label>
            <button type="submit" className="btn btn-primary">
              {t('admin.add')}
            </button>
          </div>
          {save.notice}
        </form>
      </div>
      <Tester />
    </div>
  );
}

function Tester() {
  const { t } = useI18n();
  const [category, setCategory] = useState('');
  const [lng, setLng] = useState('');
  const [lat, setLat] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [answer, setAnswer] = useState<{ areaCode: string; text: string; rule?: string } | null>(null);
  const [err, setErr] = useState<string | null>(null);

  async function test(e?: FormEvent) {
    e?.preventDefault();
    const p: Record<string, string> = {};
    const x = Number(lng);
    const y = Number(lat);
    if (!/^\d{5}$/.test(category.trim()))
      p.category = problemText(
        t,
        'category',
        category.trim() ? 'pattern' : 'required',
        t('admin.mx.category'),
      );
    if (!lng.trim() || !Number.isFinite(x) || x < -180 || x > 180) p.lng = t('admin.mx.badLng');
    if (!lat.trim() || !Number.isFinite(y) || y < -90 || y > 90) p.lat = t('admin.mx.badLat');
    setProblems(p);
    if (Object.keys(p).length) return;
    try {
      const r = await unwrap(
        api.GET('/api/v1/dispatch/propose', {
          params: { query: { category: category.trim(), lng: x, lat: y } },
        }),
      );
      setErr(null);
      setAnswer(
        r.proposal
          ? {
              areaCode: r.areaCode,
              text: r.proposal.departmentName,
              rule: t('admin.mx.rule', {
                id: r.proposal.rule.id,
                category: r.proposal.rule.category,
                area: r.proposal.rule.areaCode,
              }),
            }
          : { areaCode: r.areaCode, text: t('admin.mx.noRule') },
      );
    } catch (error) {
      setAnswer(null);
      setErr(
        error instanceof Error && 'code' in error && error.code === 'outside_city'
          ? t('admin.mx.outside')
          : apiErrorText(t, error),
      );
    }
  }

  const point: [number, number] | null =
    lng && lat && Number.isFinite(Number(lng)) && Number.isFinite(Number(lat))
      ? [Number(lng), Number(lat)]
      : null;

  return (
    <form
      className="ad-card ad-form ad-tester"
      onSubmit={(e) => void test(e)}
      noValidate
      data-testid="tester"
    >
      <h2 className="ad-h">{t('admin.mx.tester')}</h2>
      <p className="muted ad-small">{t('admin.mx.testerHelp')}</p>
      <PickMap
        point={point}
        onPick={(x, y) => {
          setLng(String(x));
          setLat(String(y));
        }}
      />
      <div className="ad-row">
        <Field label={t('admin.mx.category')} error={problems.category}>
          <input
            name="testCategory"
            value={category}
            placeholder="06010"
            onChange={(e) => setCategory(e.target.value)}
          />
        </Field>
        <Field label={t('admin.mx.lng')} error={problems.lng}>
          <input name="lng" value={lng} onChange={(e) => setLng(e.target.value)} />
        </Field>
        <Field label={t('admin.mx.lat')} error={problems.lat}>
          <input name="lat" value={lat} onChange={(e) => setLat(e.target.value)} />
        </Field>
      </div>
      <button type="submit" className="btn btn-primary">
        {t('admin.mx.test')}
      </button>
      {err && <Notice kind="error">{err}</Notice>}
      {answer && (
        <div className="ad-answer" data-testid="tester-answer" role="status">
          <div className="muted ad-small">{t('admin.mx.at', { area: answer.areaCode })}</div>
          <div className="ad-answer__dept">{answer.text}</div>
          {answer.rule && <div className="muted ad-small">{answer.rule}</div>}
        </div>
      )}
    </form>
  );
}
