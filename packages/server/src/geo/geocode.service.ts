/**
 * Geocoding: free Chinese text → ranked standard addresses; a point → the nearest address.
 * The domain's parser splits the text; the repository scores candidates by parts matched and
 * trigram similarity; a road and number with no address of their own are placed between the
 * nearest known numbers of that road.
 */
import { addressKey, type Crs, parseAddress, roadPosition, roadStem, toWgs84 } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { type AddressQuality, addressQuality } from './address.quality.ts';
import {
  type AddressRepository,
  type AddressRow,
  addressRepository,
  type ParsedQuery,
  type RoadNeighbours,
  type ScoredRow,
} from './address.repository.ts';

export interface Candidate {
  /** The standard text (district and address), or the interpolated one. */
  text: string;
  /** The standard address's code; null for an interpolated point. */
  code: string | null;
  lng: number;
  lat: number;
  /** 0‥1: parts matched and trigram similarity. */
  score: number;
  street: string | null;
  streetCode: string | null;
  district: string | null;
  districtCode: string | null;
  /** True when the point lies between two known numbers of the road, not on an address. */
  interpolated: boolean;
}

export interface ReverseAnswer {
  input: { lng: number; lat: number; crs: Crs };
  address: Candidate;
  /** Metres from the point to the address. */
  distance: number;
}

/** Queries per statement in a batch: big enough to amortise the round trip, small enough to stream. */
const chunk = 500;
/** Two numbers of one road further apart than this are two roads of one name (人民路 …). */
const maxSpanMetres = 3000;
/** An interpolated point scores below the address itself and above its neighbours. */
const interpolatedScore = { between: 0.6, beside: 0.45 };
/** Below this nothing of the text matched: no candidate rather than a random one. */
const minScore = 0.1;

function metres(a: { lng: number; lat: number }, b: { lng: number; lat: number }): number {
  const k = Math.PI / 180;
  const x = (b.lng - a.lng) * k * Math.cos(((a.lat + b.lat) / 2) * k);
  const y = (b.lat - a.lat) * k;
  return Math.hypot(x, y) * 6371008.8;
}

const asCandidate = (r: AddressRow, score: number): Candidate => ({
  text: r.text,
  code: r.code,
  lng: r.lng,
  lat: r.lat,
  score,
  street: r.street,
  streetCode: r.streetCode,
  district: r.district,
  districtCode: r.districtCode,
  interpolated: false,
});

function interpolate(q: ParsedQuery, n: RoadNeighbours): Candidate | undefined {
  const { lo, hi } = n;
  const pos = q.pos!;
  const mark = q.lane !== null ? '弄' : '号';
  let at: { lng: number; lat: number; from: AddressRow; score: number } | undefined;
  if (lo && hi && metres(lo, hi) <= maxSpanMetres) {
    const t = (pos - lo.no) / (hi.no - lo.no);
    at = {
      lng: lo.lng + (hi.lng - lo.lng) * t,
      lat: lo.lat + (hi.lat - lo.lat) * t,
      from: pos - lo.no <= hi.no - pos ? lo : hi,
      score: interpolatedScore.between,
    };
  } else {
    const near = [lo, hi]
      .filter((x) => x !== null)
      .sort((a, b) => Math.abs(a.no - pos) - Math.abs(b.no - pos))[0];
    if (near) at = { lng: near.lng, lat: near.lat, from: near, score: interpolatedScore.beside };
  }
  if (!at) return undefined;
  const road = q.road ?? '';
  return {
    text: `${at.from.district ?? ''}${road}${pos}${mark}`,
    code: null,
    lng: at.lng,
    lat: at.lat,
    score: at.score,
    street: at.from.street,
    streetCode: at.from.streetCode,
    district: at.from.district,
    districtCode: at.from.districtCode,
    interpolated: true,
  };
}

export function geocodeService({ db, now = () => Date.now() }: { db: Queryable; now?: () => number }) {
  const repo: AddressRepository = addressRepository(db);
  let districts: { names: string[]; at: number } | undefined;

  async function districtNames(): Promise<string[]> {
    if (!districts || now() - districts.at > 60_000) {
      districts = { names: await repo.districtNames(), at: now() };
    }
    return districts.names;
  }

  function parse(text: string, names: string[]): ParsedQuery {
    const { district, street, city: _city, ...p } = parseAddress(text, { districts: names });
    const key = addressKey(p);
    return {
      key,
      district: district ?? null,
      street: street ?? null,
      road: p.road ?? null,
      stem: p.road ? roadStem(p.road) : null,
      pos: roadPosition(p) ?? null,
      lane: p.lane ?? null,
      number: p.number ?? null,
      building: p.building ?? null,
      room: p.room ?? null,
    };
  }

  /** Ranked candidates for each text, best first, at most `limit` each. */
  async function rank(texts: string[], area: string | null, limit: number): Promise<Candidate[][]> {
    const names = await districtNames();
    const out: Candidate[][] = [];
    for (let start = 0; start < texts.length; start += chunk) {
      const qs = texts.slice(start, start + chunk).map((t) => parse(t, names));
      const lists: Candidate[][] = qs.map(() => []);
      const found = new Set<number>();
      const onRoad = new Set<number>();
      const take = (rows: ScoredRow[], index: (i: number) => number) => {
        for (const r of rows) {
          const i = index(r.i);
          if (r.score >= minScore) lists[i]!.push(asCandidate(r, r.score));
          if (r.atPosition) found.add(i);
          if (r.onRoad) onRoad.add(i);
        }
      };
      take(await repo.candidates(qs, area, 'direct'), (i) => i);
      // Trigrams only where the road and the exact key found nothing: typos, aliases, names.
      const rest = qs.map((_q, i) => i).filter((i) => !found.has(i) && !onRoad.has(i));
      if (rest.length > 0) {
        take(
          await repo.candidates(
            rest.map((i) => qs[i]!),
            area,
            'trigram',
          ),
          (i) => rest[i]!,
        );
      }
      // Interpolate where no candidate sits on the road at that number.
      const missing = qs.map((q, i) => ({ q, i })).filter(({ q, i }) => q.pos !== null && !found.has(i));
      if (missing.length > 0) {
        const neighbours = await repo.roadNeighbours(
          missing.map((m) => m.q),
          area,
        );
        for (const n of neighbours) {
          const m = missing[n.i]!;
          const c = interpolate(m.q, n);
          if (c) lists[m.i]!.push(c);
        }
      }
      for (const l of lists) {
        l.sort((a, b) => b.score - a.score || (a.code ?? '').localeCompare(b.code ?? ''));
        out.push(l.slice(0, limit));
      }
    }
    return out;
  }

  return {
    async geocode(q: string, options: { area?: string; limit?: number } = {}): Promise<Candidate[]> {
      if (q.trim() === '') throw new AppError('validation_failed', 'q must name an address', []);
      return (await rank([q], options.area ?? null, options.limit ?? 5))[0]!;
    },

    /** One result per text, in order: the best candidate or null. */
    async batch(texts: string[]): Promise<(Candidate | null)[]> {
      const lists = await rank(texts, null, 1);
      return lists.map((l) => l[0] ?? null);
    },

    async reverse(input: { lng: number; lat: number; crs?: Crs }): Promise<ReverseAnswer> {
      const crs = input.crs ?? 'wgs84';
      const p = toWgs84(input.lng, input.lat, crs);
      const r = await repo.nearest(p.lng, p.lat);
      if (!r)
        throw new AppError('not_found', 'There are no standard addresses yet: import some (kind addresses)');
      const { metres: distance, ...row } = r;
      return { input: { lng: input.lng, lat: input.lat, crs }, address: asCandidate(row, 1), distance };
    },

    quality: (area?: string): Promise<AddressQuality> => addressQuality(db, area ? { area } : {}),
  };
}

export type GeocodeService = ReturnType<typeof geocodeService>;
