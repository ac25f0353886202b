/**
 * Open311 GeoReport v2 as use cases. A service is an active event or component category; a
 * service request is a case (its number is the service_request_id). A POST enters the same
 * loop as every other report, through the case service, as the system caller `open311:<app>`.
 * No HTTP here: the routes choose JSON or XML and turn `Open311Error` into the spec's error list.
 */
import crypto from 'node:crypto';
import {
  type CaseStatus,
  caseStatusNames,
  isOpenStatus,
  shanghaiUtcOffsetMinutes,
  type Urgency,
  urgencies,
  urgencyNames,
} from '@onegrid/domain';
import { audit } from '../audit/audit.ts';
import type { CaseService } from '../cases/case.service.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { Candidate } from '../geo/geocode.service.ts';
import { publicText } from '../privacy/present.ts';
import type { ServiceAccounts } from '../service-accounts/service-accounts.service.ts';
import { list, Open311Error, one, parseW3c, personName, w3cDateTime } from './open311.fields.ts';
import { type ClientRow, open311Repository, type RequestRow, type ServiceRow } from './open311.repository.ts';
import type {
  CreatedRequest,
  Discovery,
  FormFields,
  RequestsQuery,
  Service,
  ServiceAttribute,
  ServiceDefinition,
  ServiceRequest,
  TokenAnswer,
} from './open311.schema.ts';

export interface Open311Options {
  /** The one jurisdiction this endpoint serves; a request naming another gets 404. */
  jurisdictionId: string;
  /** The offset dates are written in (W3C with timezone); Shanghai is UTC+8 all year. */
  utcOffsetMinutes: number;
  contact: string;
  keyService: string;
  /** What a reporter is told after a POST, and shown with each request. */
  serviceNotice: string;
}

export const defaultOpen311Options: Open311Options = {
  jurisdictionId: 'shanghai',
  utcOffsetMinutes: shanghaiUtcOffsetMinutes,
  contact: 'OneGrid city operations centre (城市运行管理中心)',
  keyService: 'api_key: ask the OneGrid administrators, who issue one per app (POST /api/v1/open311/clients)',
  serviceNotice:
    '诉求已受理，将由网格监督员现场核实后立案处置。Your report will be verified on site, then filed and handled.',
};

export const specificationUrl = 'http://wiki.open311.org/GeoReport_v2';
/** GET requests: the default window and the longest one a request may ask for. */
const windowDays = 90;
const maxResults = 1000;
const day = 86_400_000;

/**
 * Sources whose description is the reporter's own public text. A hotline operator's or a
 * leader's note may quote a caller's name or number, so those stay internal.
 */
const describedSources = new Set(['public', 'open311', 'inspector', 'iot', 'camera']);

const urgencyEnglish: Record<Urgency, string> = { urgent: 'Urgent', normal: 'Normal' };
const attributes: ServiceAttribute[] = [
  {
    variable: true,
    code: 'urgency',
    datatype: 'singlevaluelist',
    required: false,
    datatype_description: '选择一项 Choose one',
    order: 1,
    description: '紧急程度 Urgency: how soon it needs attention',
    values: urgencies.map((u) => ({ key: u, name: `${urgencyNames[u]} ${urgencyEnglish[u]}` })),
  },
];

export const hashApiKey = (key: string) => crypto.createHash('sha256').update(key).digest('hex');

export interface Open311Deps {
  db: Db;
  cases: CaseService;
  clock: () => Date;
  options?: Partial<Open311Options>;
  /** Service accounts granted `open311`: their client secret is an api_key too. */
  serviceAccounts?: Pick<ServiceAccounts, 'byKey'>;
  /** The geocoder: an address_string that is not a standard text verbatim is looked up by it. */
  geocode?: (text: string) => Promise<Candidate | null>;
}

/** The score from which a geocoded address_string is taken (a road and number matched, or better). */
export const open311GeocodeMinScore = 0.5;

export function open311Service(deps: Open311Deps) {
  const { db, cases, clock, options, geocode } = deps;
  const o: Open311Options = { ...defaultOpen311Options, ...options };
  const repo = open311Repository(db);
  const w3c = (at: Date) => w3cDateTime(new Date(at), o.utcOffsetMinutes);

  function toService(s: ServiceRow): Service {
    const kindZh = s.kind === 'event' ? '事件' : '部件';
    return {
      service_code: s.code,
      service_name: s.name,
      description: s.hint ?? `${kindZh} · ${s.majorName}：${s.name}`,
      metadata: attributes.length > 0,
      type: 'realtime',
      keywords: [s.name, s.majorName, kindZh, s.kind].join(', '),
      group: s.majorName,
    };
  }

  function statusNotes(row: RequestRow): string {
    if (row.status === 'merged' && row.mergedIntoNumber) {
      return `已合并至 ${row.mergedIntoNumber} / Merged into ${row.mergedIntoNumber}`;
    }
    const names = caseStatusNames[row.status as CaseStatus];
    return names ? `${names.zh} / ${names.en}` : row.status;
  }

  function toRequest(row: RequestRow): ServiceRequest {
    const open = isOpenStatus(row.status as CaseStatus);
    const ids = row.externalIds ?? {};
    return {
      service_request_id: row.number,
      status: open ? 'open' : 'closed',
      status_notes: statusNotes(row),
      service_name: row.serviceName,
      service_code: row.serviceCode,
      // Served to third-party apps: phone and ID numbers typed into the text are masked.
      description: describedSources.has(row.source) ? publicText(row.description) : null,
      agency_responsible: row.agency,
      service_notice: o.serviceNotice,
      requested_datetime: w3c(row.createdAt),
      updated_datetime: w3c(row.updatedAt),
      expected_datetime: open && row.dueAt ? w3c(row.dueAt) : null,
      address: row.address ?? ([row.districtName, row.streetName].filter(Boolean).join('') || null),
      address_id: ids['open311:address_id'] ?? null,
      zipcode: null,
      lat: row.lat,
      long: row.lng,
      media_url: ids['open311:media_url'] ?? null,
    };
  }

  async function locationOf(f: FormFields) {
    const lat = one(f, 'lat', 40);
    const long = one(f, 'long', 40);
    const addressString = one(f, 'address_string');
    const addressId = one(f, 'address_id', 40);
    if (lat !== undefined || long !== undefined) {
      const la = Number(lat);
      const lo = Number(long);
      if (lat === undefined || long === undefined || !Number.isFinite(la) || !Number.isFinite(lo)) {
        throw new Open311Error(400, 'lat and long must both be given, as decimal degrees (WGS-84)');
      }
      if (Math.abs(la) > 90 || Math.abs(lo) > 180) {
        throw new Open311Error(400, `lat ${lat} / long ${long} is not a point on Earth`);
      }
      return { lng: lo, lat: la, address: addressString, addressId };
    }
    if (addressId !== undefined) {
      const a = /^\d{1,18}$/.test(addressId) ? await repo.address({ id: addressId }) : undefined;
      if (!a) throw new Open311Error(400, `address_id ${addressId} was not found`);
      return { lng: a.lng, lat: a.lat, address: addressString ?? a.address, addressId };
    }
    if (addressString !== undefined) {
      const a = await repo.address({ text: addressString });
      if (!a) {
        // Typed as people type it (黄浦区南京东路１００号, 南京东路100): the geocoder's best match.
        const g = geocode ? await geocode(addressString) : null;
        if (g && g.score >= open311GeocodeMinScore) {
          return { lng: g.lng, lat: g.lat, address: g.text, addressId: undefined };
        }
        throw new Open311Error(
          400,
          `address_string "${addressString}" is not a standard address of the city; send lat and long`,
        );
      }
      return { lng: a.lng, lat: a.lat, address: addressString, addressId: a.id };
    }
    throw new Open311Error(400, 'A location is required: lat and long, address_string or address_id');
  }

  function urgencyOf(f: FormFields): Urgency | undefined {
    const given = new Map<string, string | string[] | undefined>();
    for (const [key, value] of Object.entries(f)) {
      const m = /^attribute\[([^\]]+)\](?:\[\])?$/.exec(key);
      if (m) given.set(m[1]!, value);
    }
    let urgency: Urgency | undefined;
    for (const a of attributes) {
      const raw = given.get(a.code);
      const value = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => v.trim());
      if (value.length === 0 || value.every((v) => v === '')) {
        if (a.required) throw new Open311Error(400, `attribute[${a.code}] is required`);
        continue;
      }
      const keys = a.values.map((v) => v.key);
      if (value.length > 1 || !keys.includes(value[0]!)) {
        throw new Open311Error(400, `attribute[${a.code}] must be one of: ${keys.join(', ')}`);
      }
      if (a.code === 'urgency') urgency = value[0] as Urgency;
    }
    return urgency;
  }

  function contactOf(f: FormFields) {
    const email = one(f, 'email', 254);
    const phone = one(f, 'phone', 40);
    if (email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      throw new Open311Error(400, 'email is not an email address');
    }
    if (phone !== undefined && !/^\+?[0-9][0-9 ()-]{4,30}$/.test(phone)) {
      throw new Open311Error(400, 'phone is not a phone number');
    }
    return {
      name: personName(one(f, 'first_name', 50), one(f, 'last_name', 50)),
      // One contact is kept (masked in every answer, never shown through Open311): the phone first.
      contact: phone?.replace(/[ ()-]/g, '') ?? email,
    };
  }

  function mediaUrlOf(f: FormFields): string | undefined {
    const url = one(f, 'media_url', 2000);
    if (url === undefined) return undefined;
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {}
    if (!ok) throw new Open311Error(400, 'media_url must be an http or https URL');
    return url;
  }

  function dateParam(name: string, value: string | undefined): Date | undefined {
    if (value === undefined || value.trim() === '') return undefined;
    const d = parseW3c(value, o.utcOffsetMinutes);
    if (!d) throw new Open311Error(400, `${name} must be a W3C datetime such as 2026-11-23T10:00:00+08:00`);
    return d;
  }

  return {
    options: o,

    checkJurisdiction(jurisdictionId: string | undefined): void {
      const j = jurisdictionId?.trim();
      if (j && j.toLowerCase() !== o.jurisdictionId.toLowerCase()) {
        throw new Open311Error(
          404,
          `jurisdiction_id ${j} was not found: this endpoint serves ${o.jurisdictionId} alone`,
        );
      }
    },

    async discovery(endpointUrl: string): Promise<Discovery> {
      const changeset = w3c(await repo.changeset());
      return {
        changeset,
        contact: o.contact,
        key_service: o.keyService,
        endpoints: [
          {
            specification: specificationUrl,
            url: endpointUrl,
            changeset,
            type: 'production',
            formats: ['text/xml', 'application/json'],
          },
        ],
      };
    },

    async services(): Promise<Service[]> {
      return (await repo.services()).map(toService);
    },

    async serviceDefinition(code: string): Promise<ServiceDefinition> {
      const [s] = await repo.services(code);
      if (!s) throw new Open311Error(404, `service_code ${code} was not found`);
      return { service_code: s.code, attributes };
    },

    /** The app behind an api_key, or 403 as the specification says. */
    async authenticate(apiKey: string | undefined): Promise<ClientRow> {
      if (!apiKey?.trim()) throw new Open311Error(403, 'api_key was not provided');
      const key = apiKey.trim();
      const client = await repo.clientByKeyHash(hashApiKey(key));
      if (client) return client;
      // A service account granted open311 (its client secret is the key; docs/sharing.md).
      const machine = await deps.serviceAccounts?.byKey(key, 'open311');
      if (machine) return { id: machine.id, name: machine.name, createdAt: new Date(0), revokedAt: null };
      if (!client) throw new Open311Error(403, 'api_key is not valid (unknown or revoked)');
      return client;
    },

    async createRequest(client: ClientRow, f: FormFields): Promise<CreatedRequest[]> {
      const code = one(f, 'service_code', 20);
      if (!code) throw new Open311Error(400, 'service_code was not provided');
      const [service] = await repo.services(code);
      if (!service) throw new Open311Error(400, `service_code ${code} was not found`);
      const urgency = urgencyOf(f);
      const where = await locationOf(f);
      const { name, contact } = contactOf(f);
      const mediaUrl = mediaUrlOf(f);
      const accountId = one(f, 'account_id', 200);
      const deviceId = one(f, 'device_id', 200);
      const externalIds: Record<string, string> = { 'open311:client': client.name };
      if (accountId) externalIds['open311:account_id'] = accountId;
      if (deviceId) externalIds['open311:device_id'] = deviceId;
      if (mediaUrl) externalIds['open311:media_url'] = mediaUrl;
      if (where.addressId) externalIds['open311:address_id'] = where.addressId;
      const r = await cases.report(
        {
          category: service.code,
          description: one(f, 'description', 4000) ?? service.name,
          location: { lng: where.lng, lat: where.lat, crs: 'wgs84' },
          address: where.address,
          source: 'open311',
          urgency,
          reporterName: name,
          reporterContact: contact,
          externalIds,
        },
        { system: true, name: `open311:${client.name}` },
      );
      return [
        { service_request_id: r.case.number, service_notice: o.serviceNotice, account_id: accountId ?? null },
      ];
    },

    async requests(q: RequestsQuery): Promise<ServiceRequest[]> {
      const numbers = list(q.service_request_id);
      // The specification: a service_request_id list overrides every other argument.
      if (numbers?.length) {
        return (await repo.requests({ numbers: numbers.slice(0, maxResults), limit: maxResults })).map(
          toRequest,
        );
      }
      const statuses = list(q.status);
      const bad = statuses?.find((s) => s !== 'open' && s !== 'closed');
      if (bad !== undefined) throw new Open311Error(400, `status must be open or closed, not ${bad}`);
      // Both statuses (or none) is no filter; one of them is.
      const wantOpen = statuses?.includes('open') ?? false;
      const wantClosed = statuses?.includes('closed') ?? false;
      const open = wantOpen === wantClosed ? undefined : wantOpen;
      let from = dateParam('start_date', q.start_date);
      let to = dateParam('end_date', q.end_date);
      if (from && to && from > to) throw new Open311Error(400, 'start_date is after end_date');
      if (from && to && to.getTime() - from.getTime() > windowDays * day) {
        throw new Open311Error(400, `start_date and end_date may not span more than ${windowDays} days`);
      }
      if (!from && !to) to = clock();
      if (!from) from = new Date(to!.getTime() - windowDays * day);
      if (!to) to = new Date(from.getTime() + windowDays * day);
      const serviceCodes = list(q.service_code);
      const rows = await repo.requests({
        serviceCodes: serviceCodes?.length ? serviceCodes : undefined,
        from,
        to,
        open,
        limit: maxResults,
      });
      return rows.map(toRequest);
    },

    async request(id: string): Promise<ServiceRequest[]> {
      const row = await repo.request(id);
      if (!row) throw new Open311Error(404, `service_request_id ${id} was not found`);
      return [toRequest(row)];
    },

    /** OneGrid answers a POST with the id at once, so a token is the service_request_id itself. */
    async token(token: string): Promise<TokenAnswer[]> {
      const row = await repo.request(token);
      if (!row) throw new Open311Error(404, `token ${token} was not found`);
      return [{ service_request_id: row.number, token }];
    },

    // Administrators: one api_key per app.

    async issueKey(name: string, at = clock()): Promise<{ client: ClientRow; apiKey: string }> {
      const clean = name.trim();
      if (await repo.liveClientNamed(clean)) {
        throw new AppError('conflict', `An app named ${clean} already has a live api_key; revoke it first`);
      }
      const apiKey = `o311_${crypto.randomBytes(32).toString('base64url')}`;
      try {
        return await db.transaction(async (tx) => {
          const client = await open311Repository(tx).createClient(clean, hashApiKey(apiKey), at);
          await audit.record(tx, {
            action: 'config.open311-key',
            object: `open311-client:${client.id}`,
            details: { before: null, after: { name: clean, issued: true } },
          });
          return { client, apiKey };
        });
      } catch (e) {
        if (/open311_clients_live_name_idx/.test(String((e as Error).message))) {
          throw new AppError('conflict', `An app named ${clean} already has a live api_key`);
        }
        throw e;
      }
    },

    clients: () => repo.clients(),

    async revoke(id: number): Promise<void> {
      await db.transaction(async (tx) => {
        if (!(await open311Repository(tx).revokeClient(id, clock())))
          throw new AppError('not_found', `Open311 client ${id} not found`);
        await audit.record(tx, {
          action: 'config.open311-key',
          object: `open311-client:${id}`,
          details: { before: { revoked: false }, after: { revoked: true } },
        });
      });
    },
  };
}
export type Open311Service = ReturnType<typeof open311Service>;
