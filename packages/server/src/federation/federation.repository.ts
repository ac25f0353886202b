/** The exchange's SQL: links, the outbound queue, the inbox, linked cases and reported figures. */
import crypto from 'node:crypto';
import type { Queryable } from '../db/db.ts';

export interface LinkRow {
  id: string;
  name: string;
  direction: 'up' | 'down';
  peerUrl: string;
  areaCode: string | null;
  peerPublicKey: string | null;
  peerKeyId: string | null;
  publicKey: string;
  keyId: string;
  privateKey: string;
  serviceAccount: string | null;
  active: boolean;
  lastOkAt: Date | null;
  failingSince: Date | null;
  lastError: string | null;
  failures: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
}

const linkColumns = `id, name, direction, peer_url AS "peerUrl", area_code AS "areaCode",
  peer_public_key AS "peerPublicKey", peer_key_id AS "peerKeyId", public_key AS "publicKey", key_id AS "keyId",
  private_key AS "privateKey", service_account AS "serviceAccount", active, last_ok_at AS "lastOkAt",
  failing_since AS "failingSince", last_error AS "lastError", failures, next_attempt_at AS "nextAttemptAt",
  created_at AS "createdAt"`;

/** What every message carries (docs/federation.md, "Envelope"). */
export interface Envelope {
  v: 1;
  id: string;
  type: string;
  from: string;
  to: string;
  stream: string;
  seq: number;
  sentAt: string;
  body: Record<string, unknown>;
}

export interface QueuedMessage {
  id: number;
  linkId: string;
  messageId: string;
  type: string;
  stream: string;
  seq: number;
  envelope: string;
  attempts: number;
}

export function federationRepository(db: Queryable) {
  return {
    async links(): Promise<LinkRow[]> {
      return (await db.query<LinkRow>(`SELECT ${linkColumns} FROM federation_links ORDER BY created_at, id`))
        .rows;
    },
    async link(id: string): Promise<LinkRow | undefined> {
      return (await db.query<LinkRow>(`SELECT ${linkColumns} FROM federation_links WHERE id = $1`, [id]))
        .rows[0];
    },
    async linkByPeerKey(keyId: string): Promise<LinkRow | undefined> {
      return (
        await db.query<LinkRow>(`SELECT ${linkColumns} FROM federation_links WHERE peer_key_id = $1`, [keyId])
      ).rows[0];
    },
    /** The active link to the platform above, with its peer's key (at most one is used). */
    async upLink(): Promise<LinkRow | undefined> {
      return (
        await db.query<LinkRow>(
          `SELECT ${linkColumns} FROM federation_links
            WHERE direction = 'up' AND active AND peer_key_id IS NOT NULL ORDER BY created_at LIMIT 1`,
        )
      ).rows[0];
    },
    async insertLink(
      l: Omit<
        LinkRow,
        'active' | 'lastOkAt' | 'failingSince' | 'lastError' | 'failures' | 'nextAttemptAt' | 'createdAt'
      >,
    ) {
      await db.query(
        `INSERT INTO federation_links (id, name, direction, peer_url, area_code, peer_public_key, peer_key_id,
           public_key, key_id, private_key, service_account)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          l.id,
          l.name,
          l.direction,
          l.peerUrl,
          l.areaCode,
          l.peerPublicKey,
          l.peerKeyId,
          l.publicKey,
          l.keyId,
          l.privateKey,
          l.serviceAccount,
        ],
      );
    },
    async updateLink(
      id: string,
      patch: { peerPublicKey?: string; peerKeyId?: string; active?: boolean; peerUrl?: string },
    ): Promise<void> {
      await db.query(
        `UPDATE federation_links SET peer_public_key = coalesce($2, peer_public_key),
           peer_key_id = coalesce($3, peer_key_id), active = coalesce($4, active), peer_url = coalesce($5, peer_url),
           failures = 0, next_attempt_at = NULL
         WHERE id = $1`,
        [
          id,
          patch.peerPublicKey ?? null,
          patch.peerKeyId ?? null,
          patch.active ?? null,
          patch.peerUrl ?? null,
        ],
      );
    },

    /** Queues one message for a link (in the caller's transaction): the next seq of its stream. */
    async enqueue(
      link: Pick<LinkRow, 'id' | 'keyId' | 'peerKeyId'>,
      type: string,
      stream: string,
      body: Record<string, unknown>,
      now: Date,
    ) {
      const s = await db.query<{ seq: number }>(
        `INSERT INTO federation_streams (link_id, stream, last_seq) VALUES ($1, $2, 1)
         ON CONFLICT (link_id, stream) DO UPDATE SET last_seq = federation_streams.last_seq + 1
         RETURNING last_seq AS seq`,
        [link.id, stream],
      );
      const seq = s.rows[0]!.seq;
      const envelope: Envelope = {
        v: 1,
        id: crypto.randomUUID(),
        type,
        from: link.keyId,
        to: link.peerKeyId ?? '',
        stream,
        seq,
        sentAt: now.toISOString(),
        body,
      };
      await db.query(
        `INSERT INTO federation_outbox (link_id, message_id, type, stream, seq, envelope) VALUES ($1, $2, $3, $4, $5, $6)`,
        [link.id, envelope.id, type, stream, seq, JSON.stringify(envelope)],
      );
      return envelope;
    },
    /** The oldest undelivered messages of a link, in order. */
    async head(linkId: string, limit: number): Promise<QueuedMessage[]> {
      return (
        await db.query<QueuedMessage>(
          `SELECT id::int AS id, link_id AS "linkId", message_id::text AS "messageId", type, stream, seq, envelope, attempts
             FROM federation_outbox WHERE link_id = $1 AND delivered_at IS NULL ORDER BY id LIMIT $2`,
          [linkId, limit],
        )
      ).rows;
    },
    async delivered(id: number, result: unknown, now: Date): Promise<void> {
      await db.query(
        'UPDATE federation_outbox SET delivered_at = $2, result = $3, attempts = attempts + 1 WHERE id = $1',
        [id, now, JSON.stringify(result ?? {})],
      );
    },
    async linkOk(id: string, now: Date): Promise<void> {
      await db.query(
        `UPDATE federation_links SET last_ok_at = $2, failing_since = NULL, last_error = NULL, failures = 0,
           next_attempt_at = NULL WHERE id = $1`,
        [id, now],
      );
    },
    async linkFailed(id: string, messageId: number, error: string, now: Date, next: Date): Promise<void> {
      await db.query('UPDATE federation_outbox SET attempts = attempts + 1 WHERE id = $1', [messageId]);
      await db.query(
        `UPDATE federation_links SET failing_since = coalesce(failing_since, $2), last_error = $3,
           failures = failures + 1, next_attempt_at = $4 WHERE id = $1`,
        [id, now, error.slice(0, 500), next],
      );
    },
    /** Per link: queued (undelivered) messages and the oldest one's age. */
    async queueStats(): Promise<{ linkId: string; queued: number; oldest: Date | null }[]> {
      return (
        await db.query<{ linkId: string; queued: number; oldest: Date | null }>(
          `SELECT l.id AS "linkId", count(o.id)::int AS queued, min(o.created_at) AS oldest
             FROM federation_links l LEFT JOIN federation_outbox o ON o.link_id = l.id AND o.delivered_at IS NULL
            GROUP BY l.id`,
        )
      ).rows;
    },

    async inboxEntry(linkId: string, messageId: string) {
      return (
        await db.query<{ result: Record<string, unknown>; stream: string; seq: number }>(
          'SELECT result, stream, seq FROM federation_inbox WHERE link_id = $1 AND message_id = $2',
          [linkId, messageId],
        )
      ).rows[0];
    },
    async lastSeq(linkId: string, stream: string): Promise<number> {
      return (
        await db.query<{ seq: number }>(
          'SELECT coalesce(max(seq), 0)::int AS seq FROM federation_inbox WHERE link_id = $1 AND stream = $2',
          [linkId, stream],
        )
      ).rows[0]!.seq;
    },
    async remember(e: Envelope, linkId: string, result: Record<string, unknown>): Promise<void> {
      await db.query(
        `INSERT INTO federation_inbox (link_id, message_id, stream, seq, type, result) VALUES ($1, $2, $3, $4, $5, $6)`,
        [linkId, e.id, e.stream, e.seq, e.type, JSON.stringify(result)],
      );
    },

    async linkCase(r: {
      linkId: string;
      caseId: number;
      role: 'sent' | 'received';
      remoteCaseId?: number | null;
      remoteNumber?: string | null;
      remoteDeadline?: unknown;
    }) {
      await db.query(
        `INSERT INTO federation_cases (link_id, case_id, role, remote_case_id, remote_number, remote_deadline)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (link_id, case_id) DO UPDATE SET
           remote_case_id = coalesce(EXCLUDED.remote_case_id, federation_cases.remote_case_id),
           remote_number = coalesce(EXCLUDED.remote_number, federation_cases.remote_number)`,
        [
          r.linkId,
          r.caseId,
          r.role,
          r.remoteCaseId ?? null,
          r.remoteNumber ?? null,
          JSON.stringify(r.remoteDeadline ?? null),
        ],
      );
    },
    async casesOf(caseId: number) {
      return (
        await db.query<{
          linkId: string;
          role: 'sent' | 'received';
          remoteCaseId: number | null;
          remoteNumber: string | null;
          remoteStatus: string | null;
          remoteDeadline: unknown;
          handedDownAt: Date | null;
        }>(
          `SELECT link_id AS "linkId", role, remote_case_id::int AS "remoteCaseId", remote_number AS "remoteNumber",
             remote_status AS "remoteStatus", remote_deadline AS "remoteDeadline", handed_down_at AS "handedDownAt"
             FROM federation_cases WHERE case_id = $1 ORDER BY created_at`,
          [caseId],
        )
      ).rows;
    },
    async localCase(linkId: string, remoteCaseId: number): Promise<number | undefined> {
      return (
        await db.query<{ id: number }>(
          'SELECT case_id::int AS id FROM federation_cases WHERE link_id = $1 AND remote_case_id = $2',
          [linkId, remoteCaseId],
        )
      ).rows[0]?.id;
    },
    async remoteStatus(linkId: string, caseId: number, status: string, deadline?: unknown): Promise<void> {
      await db.query(
        `UPDATE federation_cases SET remote_status = $3,
           remote_deadline = CASE WHEN $4::text IS NULL THEN remote_deadline ELSE $4::jsonb END
          WHERE link_id = $1 AND case_id = $2`,
        [linkId, caseId, status, deadline === undefined ? null : JSON.stringify(deadline)],
      );
    },
    async handedDown(linkId: string, caseId: number, now: Date): Promise<void> {
      await db.query('UPDATE federation_cases SET handed_down_at = $3 WHERE link_id = $1 AND case_id = $2', [
        linkId,
        caseId,
        now,
      ]);
    },

    async saveFigures(linkId: string, areaCode: string, figures: unknown, at: Date): Promise<void> {
      await db.query(
        `INSERT INTO federation_figures (link_id, area_code, figures, reported_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (link_id) DO UPDATE SET area_code = EXCLUDED.area_code, figures = EXCLUDED.figures,
           reported_at = EXCLUDED.reported_at WHERE federation_figures.reported_at <= EXCLUDED.reported_at`,
        [linkId, areaCode, JSON.stringify(figures), at],
      );
    },
    async figures() {
      return (
        await db.query<{
          linkId: string;
          name: string;
          peerUrl: string;
          areaCode: string;
          figures: Record<string, unknown>;
          reportedAt: Date;
        }>(
          `SELECT f.link_id AS "linkId", l.name, l.peer_url AS "peerUrl", f.area_code AS "areaCode", f.figures,
             f.reported_at AS "reportedAt" FROM federation_figures f JOIN federation_links l ON l.id = f.link_id
            ORDER BY f.area_code`,
        )
      ).rows;
    },
  };
}
export type FederationRepository = ReturnType<typeof federationRepository>;
