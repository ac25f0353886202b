/**
 * What the inspector has typed or picked, kept in storage as they go: an expired session (the
 * re-login dialog), a reload or a killed tab loses nothing. The photo goes to IndexedDB.
 */
import { createStore, del, get, set } from 'idb-keyval';

export interface ReportDraft {
  category: string;
  description: string;
  location: { lng: number; lat: number } | null;
  /** The pin was moved by hand: GPS updates no longer move it. */
  corrected: boolean;
  selfHandle: boolean;
  photoName: string | null;
}

export const emptyDraft: ReportDraft = {
  category: '',
  description: '',
  location: null,
  corrected: false,
  selfHandle: false,
  photoName: null,
};

const key = (userId: number) => `onegrid.inspector.draft.${userId}`;
const photos = (userId: number) => createStore(`onegrid-inspector-draft-${userId}`, 'photos');

export function loadDraft(userId: number): ReportDraft {
  try {
    const raw = localStorage.getItem(key(userId));
    return raw ? { ...emptyDraft, ...(JSON.parse(raw) as Partial<ReportDraft>) } : emptyDraft;
  } catch {
    return emptyDraft;
  }
}

export function saveDraft(userId: number, d: ReportDraft): void {
  try {
    localStorage.setItem(key(userId), JSON.stringify(d));
  } catch {
    // Storage full or unavailable: the form still works, without the safety net.
  }
}

export async function loadDraftPhoto(userId: number): Promise<Blob | undefined> {
  try {
    return await get<Blob>('photo', photos(userId));
  } catch {
    return undefined;
  }
}

export async function saveDraftPhoto(userId: number, blob: Blob | null): Promise<void> {
  try {
    if (blob) await set('photo', blob, photos(userId));
    else await del('photo', photos(userId));
  } catch {
    // As above.
  }
}

export function clearDraft(userId: number): Promise<void> {
  try {
    localStorage.removeItem(key(userId));
  } catch {
    // Nothing stored.
  }
  return saveDraftPhoto(userId, null);
}
