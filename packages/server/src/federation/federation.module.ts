/**
 * Federation of instances (一网统管 三级平台, docs/federation.md): the exchange wired up — the
 * case hook that queues hand-ups and status changes, the signed delivery (one sender per
 * deployment, under the scheduler lease), the inbound endpoint, link management, figures sent up,
 * and the links' state in /metrics.
 */
import client from 'prom-client';
import type { AttachmentService } from '../attachments/attachment.service.ts';
import type { CaseService } from '../cases/case.service.ts';
import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import { job, type Module } from '../roles/roles.ts';
import { startDelivery } from './delivery.ts';
import { federationRepository } from './federation.repository.ts';
import { federationRoutes } from './federation.routes.ts';
import { collectFigures, type FiguresDeps } from './figures.ts';
import { linkService, stateOf } from './links.ts';
import { outbound } from './outbound.ts';
import { receiver } from './receive.ts';

export interface FederationOptions {
  retryMaxSeconds?: number;
  figuresSeconds?: number;
  pollMs?: number;
}

export function createFederation(deps: {
  db: Db;
  log: Logger;
  clock: () => Date;
  cases: CaseService;
  attachments: AttachmentService;
  registry: client.Registry;
  vitals?: FiguresDeps['vitals'];
  options?: FederationOptions;
}): Module {
  const { db, log, clock } = deps;
  const o = deps.options ?? {};
  let delivery: ReturnType<typeof startDelivery> | undefined;
  const out = outbound({ db, attachments: deps.attachments, nudge: () => delivery?.nudge() });
  deps.cases.onApplied(out.onApplied);
  const links = linkService(db);
  const receive = receiver({
    db,
    log: log.child({ category: 'federation' }),
    clock,
    cases: deps.cases,
    attachments: deps.attachments,
  });
  const repo = federationRepository(db);

  const registers = [deps.registry];
  const labelNames = ['link', 'name', 'direction'] as const;
  const each = async (
    set: (
      labels: Record<(typeof labelNames)[number], string>,
      v: ReturnType<typeof stateOf>,
      queued: number,
      oldest: Date | null,
      failingSince: Date | null,
    ) => void,
  ) => {
    // Metrics answer while the database is away (onegrid_db_up says so): no link figures then.
    const read = await Promise.all([repo.queueStats(), repo.links()]).catch(() => undefined);
    if (!read) return;
    const stats = new Map(read[0].map((s) => [s.linkId, s]));
    for (const l of read[1]) {
      const s = stats.get(l.id);
      set(
        { link: l.id, name: l.name, direction: l.direction },
        stateOf(l, s?.queued ?? 0),
        s?.queued ?? 0,
        s?.oldest ?? null,
        l.failingSince,
      );
    }
  };
  new client.Gauge({
    name: 'onegrid_federation_link_up',
    help: 'Per link: 1 while its peer acknowledges (connected or sending its queue), 0 while failing, off or awaiting the peer key',
    labelNames,
    registers,
    async collect() {
      this.reset();
      await each((labels, state) => this.set(labels, state === 'connected' || state === 'queued' ? 1 : 0));
    },
  });
  new client.Gauge({
    name: 'onegrid_federation_queued_messages',
    help: 'Per link: messages queued for the peer and not yet acknowledged',
    labelNames,
    registers,
    async collect() {
      this.reset();
      await each((labels, _s, queued) => this.set(labels, queued));
    },
  });
  new client.Gauge({
    name: 'onegrid_federation_oldest_queued_seconds',
    help: 'Per link: age of the oldest message not yet acknowledged (0 when none)',
    labelNames,
    registers,
    async collect() {
      this.reset();
      const now = clock().getTime();
      await each((labels, _s, _q, oldest) =>
        this.set(labels, oldest ? Math.max(0, (now - new Date(oldest).getTime()) / 1000) : 0),
      );
    },
  });
  new client.Gauge({
    name: 'onegrid_federation_failing_seconds',
    help: 'Per link: seconds since deliveries started failing (0 when not failing)',
    labelNames,
    registers,
    async collect() {
      this.reset();
      const now = clock().getTime();
      await each((labels, _s, _q, _o, since) =>
        this.set(labels, since ? Math.max(0, (now - new Date(since).getTime()) / 1000) : 0),
      );
    },
  });

  return {
    name: 'federation',
    routes: (app) => federationRoutes(app, { db, links, receive, out, clock }),
    jobs: [
      job(
        'federation.delivery',
        ['scheduler'],
        () => {
          delivery = startDelivery({
            db,
            log: log.child({ category: 'federation' }),
            clock,
            ...(o.pollMs ? { pollMs: o.pollMs } : {}),
            retryMaxMs: (o.retryMaxSeconds ?? 60) * 1000,
            async onDelivered(link, m, result) {
              if (m.type === 'case.hand-up' && typeof result.caseId === 'number') {
                const caseId = Number(m.stream.slice('case:'.length));
                await federationRepository(db).linkCase({
                  linkId: link.id,
                  caseId,
                  role: 'sent',
                  remoteCaseId: result.caseId,
                  remoteNumber: typeof result.number === 'string' ? result.number : null,
                });
              }
            },
          });
          const d = delivery;
          return {
            close: async () => {
              await d.close();
              if (delivery === d) delivery = undefined;
            },
          };
        },
        { once: true },
      ),
      job(
        'federation.figures',
        ['scheduler'],
        () => {
          const send = async () => {
            const up = await repo.upLink();
            if (!up?.areaCode) return;
            await out.sendFigures(
              up,
              await collectFigures(
                { db, clock, ...(deps.vitals ? { vitals: deps.vitals } : {}) },
                up.areaCode,
              ),
              clock(),
            );
          };
          const tick = () =>
            void send().catch((e: unknown) =>
              log.warn({ err: e, category: 'federation' }, 'sending figures failed'),
            );
          const timer = setInterval(tick, (o.figuresSeconds ?? 300) * 1000);
          timer.unref?.();
          tick();
          return { close: () => clearInterval(timer) };
        },
        { once: true },
      ),
    ],
  };
}
