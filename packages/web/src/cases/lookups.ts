/** Lists the forms pick from, loaded once per page: categories and departments. */
import { useEffect, useState } from 'react';
import { api, unwrap } from '../api/client.ts';

export interface Option {
  code: string;
  name: string;
}

let categoriesOnce: Promise<Option[]> | null = null;
let majorsOnce: Promise<Option[]> | null = null;
let departmentsOnce: Promise<Option[]> | null = null;

function loadCategories(): Promise<Option[]> {
  categoriesOnce ??= unwrap(api.GET('/api/v1/categories', { params: { query: { active: true } } }))
    .then((list) =>
      list
        .filter((c) => /^\d{5}$/.test(c.code) && (c.kind === 'event' || c.kind === 'component'))
        .map((c) => ({ code: c.code, name: c.name }))
        .sort((a, b) => a.code.localeCompare(b.code)),
    )
    .catch(() => {
      categoriesOnce = null;
      return [];
    });
  return categoriesOnce;
}

/** Major categories (the first two digits), for the filter. */
function loadMajors(): Promise<Option[]> {
  majorsOnce ??= unwrap(api.GET('/api/v1/categories', { params: { query: { active: true } } }))
    .then((list) => {
      const byCode = new Map<string, string>();
      for (const c of list) if (/^\d{2}$/.test(c.majorCode)) byCode.set(c.majorCode, c.majorName);
      return [...byCode].map(([code, name]) => ({ code, name })).sort((a, b) => a.code.localeCompare(b.code));
    })
    .catch(() => {
      majorsOnce = null;
      return [];
    });
  return majorsOnce;
}

/** Departments known to the responsibility matrix (the dispatcher's picker). */
function loadDepartments(): Promise<Option[]> {
  departmentsOnce ??= unwrap(api.GET('/api/v1/dispatch/matrix'))
    .then((rules) => {
      const byCode = new Map<string, string>();
      for (const r of rules) byCode.set(r.departmentCode, r.departmentName);
      return [...byCode].map(([code, name]) => ({ code, name })).sort((a, b) => a.code.localeCompare(b.code));
    })
    .catch(() => {
      departmentsOnce = null;
      return [];
    });
  return departmentsOnce;
}

function useLoaded(load: () => Promise<Option[]>, enabled: boolean): Option[] {
  const [list, setList] = useState<Option[]>([]);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    void load().then((l) => {
      if (live) setList(l);
    });
    return () => {
      live = false;
    };
  }, [load, enabled]);
  return list;
}

export const useCategories = (enabled = true) => useLoaded(loadCategories, enabled);
export const useDepartments = (enabled = true) => useLoaded(loadDepartments, enabled);
export const useMajors = (enabled = true) => useLoaded(loadMajors, enabled);

export interface InspectorOption {
  id: number;
  displayName: string;
  dutyGridCodes: string[];
  distanceMeters: number | null;
  onDuty: boolean;
}

/** Inspectors who may verify case `caseId`, nearest duty grid first (派发核实's picker). */
export function useInspectorCandidates(caseId: number, enabled: boolean): InspectorOption[] | null {
  const [list, setList] = useState<InspectorOption[] | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    unwrap(api.GET('/api/v1/cases/{id}/inspectors', { params: { path: { id: caseId } } }))
      .then((l) => {
        if (live) setList(l);
      })
      .catch(() => {
        if (live) setList([]);
      });
    return () => {
      live = false;
    };
  }, [caseId, enabled]);
  return list;
}
