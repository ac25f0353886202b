import crypto from 'node:crypto';
import canonicalize from 'canonicalize';

/** The `prevHash` of the first entry of a chain that was never pruned. */
export const genesisHash = '0'.repeat(64);

export interface AuditContent {
  at: string;
  actor: string;
  action: string;
  object: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/**
 * The hashed text of an entry's content: RFC 8785 canonical JSON, so the same content read back
 * from jsonb (keys reordered, numbers reformatted) hashes the same.
 */
export function auditContentText(c: AuditContent): string {
  return canonicalize({
    at: c.at,
    actor: c.actor,
    action: c.action,
    object: c.object,
    ip: c.ip,
    details: c.details,
  }) as string;
}

/**
 * hash = SHA-256(prevHash "\n" seq "\n" content), hex. The append statement computes the same
 * in SQL (audit.repository.ts); `onegrid audit verify` recomputes it here.
 */
export function chainHash(prevHash: string, seq: number, contentText: string): string {
  return crypto.createHash('sha256').update(`${prevHash}\n${seq}\n${contentText}`, 'utf8').digest('hex');
}

/**
 * Details as they will read back from jsonb: plain JSON values only (dates become ISO text,
 * undefined keys go), and no NUL characters, which jsonb refuses.
 */
export function normaliseDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!details) return {};
  return JSON.parse(JSON.stringify(details).replace(/\\u0000/g, '')) as Record<string, unknown>;
}
