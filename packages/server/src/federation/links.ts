/** Link management (an administrator links two instances) and each link's state as screens and /metrics show it. */
import crypto from 'node:crypto';
import { ownsArea } from '@onegrid/domain';
import { audit } from '../audit/audit.ts';
import type { Db } from '../db/db.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { federationRepository, type LinkRow } from './federation.repository.ts';
import { keyIdOf, newKeyPair, parsePublicKey } from './keys.ts';

export type LinkState = 'awaiting-key' | 'connected' | 'queued' | 'failing' | 'off';

export interface LinkView {
  id: string;
  name: string;
  direction: 'up' | 'down';
  peerUrl: string;
  areaCode: string | null;
  publicKey: string;
  keyId: string;
  peerPublicKey: string | null;
  peerKeyId: string | null;
  serviceAccount: string | null;
  active: boolean;
  state: LinkState;
  queued: number;
  oldestQueuedAt: string | null;
  failingSince: string | null;
  lastError: string | null;
  lastOkAt: string | null;
}

export function stateOf(l: LinkRow, queued: number): LinkState {
  if (!l.active) return 'off';
  if (!l.peerKeyId) return 'awaiting-key';
  if (l.failingSince) return 'failing';
  return queued > 0 ? 'queued' : 'connected';
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function linkService(db: Db) {
  const repo = federationRepository(db);
  async function views(): Promise<LinkView[]> {
    const stats = new Map((await repo.queueStats()).map((s) => [s.linkId, s]));
    return (await repo.links()).map((l) => {
      const s = stats.get(l.id);
      return {
        id: l.id,
        name: l.name,
        direction: l.direction,
        peerUrl: l.peerUrl,
        areaCode: l.areaCode,
        publicKey: l.publicKey,
        keyId: l.keyId,
        peerPublicKey: l.peerPublicKey,
        peerKeyId: l.peerKeyId,
        serviceAccount: l.serviceAccount,
        active: l.active,
        state: stateOf(l, s?.queued ?? 0),
        queued: s?.queued ?? 0,
        oldestQueuedAt: iso(s?.oldest),
        failingSince: iso(l.failingSince),
        lastError: l.lastError,
        lastOkAt: iso(l.lastOkAt),
      };
    });
  }
  const checkScope = (scope: string, areaCode: string | null) => {
    if (!ownsArea(scope, areaCode))
      throw forbidden(`Links for ${areaCode ?? 'the city'} are not yours to manage`);
  };
  const keyOf = (text: string) => {
    const k = parsePublicKey(text);
    if (!k) {
      throw new AppError(
        'validation_failed',
        'peerPublicKey must be an Ed25519 public key (32 bytes, base64url)',
        {
          field: 'peerPublicKey',
        },
      );
    }
    return k;
  };
  return {
    views,
    async create(
      scope: string,
      b: {
        name: string;
        direction: 'up' | 'down';
        peerUrl: string;
        areaCode?: string;
        peerPublicKey?: string;
        serviceAccount?: string;
      },
    ): Promise<LinkView> {
      const areaCode = b.areaCode ?? null;
      checkScope(scope, areaCode);
      const peer = b.peerPublicKey ? keyOf(b.peerPublicKey) : null;
      const keys = newKeyPair();
      const id = `lnk_${crypto.randomBytes(6).toString('hex')}`;
      await db.transaction(async (tx) => {
        const f = federationRepository(tx);
        if (peer && (await f.linkByPeerKey(keyIdOf(peer)))) {
          throw new AppError('conflict', 'Another link has this peer key already');
        }
        await f.insertLink({
          id,
          name: b.name,
          direction: b.direction,
          peerUrl: b.peerUrl,
          areaCode,
          peerPublicKey: peer,
          peerKeyId: peer ? keyIdOf(peer) : null,
          publicKey: keys.publicKey,
          keyId: keys.keyId,
          privateKey: keys.privateKey,
          serviceAccount: b.serviceAccount ?? null,
        });
        await audit.record(tx, {
          action: 'config.federation',
          object: `federation-link:${id}`,
          details: {
            before: null,
            after: {
              name: b.name,
              direction: b.direction,
              peerUrl: b.peerUrl,
              areaCode,
              peerKeyId: peer ? keyIdOf(peer) : null,
              keyId: keys.keyId,
            },
          },
        });
      });
      return (await views()).find((v) => v.id === id)!;
    },
    async update(
      scope: string,
      id: string,
      b: { peerPublicKey?: string; active?: boolean; peerUrl?: string },
    ): Promise<LinkView> {
      const link = await repo.link(id);
      if (!link) throw notFound('Link', id);
      checkScope(scope, link.areaCode);
      const peer = b.peerPublicKey ? keyOf(b.peerPublicKey) : undefined;
      await db.transaction(async (tx) => {
        await federationRepository(tx).updateLink(id, {
          ...(peer ? { peerPublicKey: peer, peerKeyId: keyIdOf(peer) } : {}),
          ...(b.active !== undefined ? { active: b.active } : {}),
          ...(b.peerUrl ? { peerUrl: b.peerUrl } : {}),
        });
        await audit.record(tx, {
          action: 'config.federation',
          object: `federation-link:${id}`,
          details: {
            before: { peerKeyId: link.peerKeyId, active: link.active, peerUrl: link.peerUrl },
            after: {
              peerKeyId: peer ? keyIdOf(peer) : link.peerKeyId,
              active: b.active ?? link.active,
              peerUrl: b.peerUrl ?? link.peerUrl,
            },
          },
        });
      });
      return (await views()).find((v) => v.id === id)!;
    },
  };
}
export type LinkService = ReturnType<typeof linkService>;
