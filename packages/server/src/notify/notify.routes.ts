import { notifiableRoles, notifyChannels, notifyKinds, type Role } from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import type { NotifyService } from './notify.service.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const NotifyPrefsBody = Type.Object(
  {
    channels: Type.Optional(
      Type.Object(Object.fromEntries(notifyChannels.map((c) => [c, Type.Optional(Type.Boolean())])), {
        additionalProperties: false,
      }),
    ),
    muted: Type.Optional(Type.Array(Type.Union(notifyKinds.map((k) => Type.Literal(k))), { maxItems: 20 })),
    quiet: Type.Optional(
      Nullable(
        Type.Object(
          {
            start: Type.String({ pattern: '^\\d{2}:\\d{2}$' }),
            end: Type.String({ pattern: '^\\d{2}:\\d{2}$' }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    email: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 24 }))),
    wecomWebhook: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    dingtalkWebhook: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    dingtalkSecret: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  },
  { $id: 'NotifyPrefs', additionalProperties: false },
);

const Notification = Type.Object(
  {
    id: Type.Integer(),
    kind: Type.String(),
    title: Type.String(),
    body: Type.String(),
    link: Nullable(Type.String()),
    object: Nullable(Type.String()),
    createdAt: Type.String(),
    readAt: Nullable(Type.String()),
  },
  { $id: 'Notification' },
);

const Unread = Type.Object({ unread: Type.Integer() });

export function notifyRoutes(app: App, notify: NotifyService) {
  app.addSchema(NotifyPrefsBody);
  app.addSchema(Notification);

  app.get(
    '/api/v1/notifications',
    {
      config: { access: 'session' },
      schema: {
        tags: ['notifications'],
        summary: 'My notifications (the bell), newest first, with the unread count',
        querystring: Type.Object({
          unread: Type.Optional(Type.Boolean()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('Notification')), unread: Type.Integer() }),
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const { items, unread } = await notify.list(principalOf(request), request.query);
      return {
        unread,
        items: items.map((n) => ({
          ...n,
          createdAt: new Date(n.createdAt).toISOString(),
          readAt: n.readAt ? new Date(n.readAt).toISOString() : null,
        })),
      };
    },
  );

  app.post(
    '/api/v1/notifications/:id/read',
    {
      config: { access: 'session' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark one of my notifications read',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: Unread, ...errors(400, 401, 404) },
      },
    },
    async (request) => notify.markRead(principalOf(request), request.params.id),
  );

  app.post(
    '/api/v1/notifications/read-all',
    {
      config: { access: 'session' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark all my notifications read',
        response: { 200: Unread, ...errors(401) },
      },
    },
    async (request) => notify.markRead(principalOf(request)),
  );

  const PrefsView = Type.Object({
    role: Type.Ref('NotifyPrefs'),
    mine: Type.Ref('NotifyPrefs'),
    effective: Type.Ref('NotifyPrefs'),
    channels: Type.Array(Type.String(), { description: 'outside channels this server is set up to send' }),
  });

  app.get(
    '/api/v1/notifications/preferences',
    {
      config: { access: 'session' },
      schema: {
        tags: ['notifications'],
        summary: "My notification preferences: my role's, my own and the result (robot keys hidden)",
        response: { 200: PrefsView, ...errors(401) },
      },
    },
    async (request) => notify.prefs(principalOf(request)),
  );

  app.put(
    '/api/v1/notifications/preferences',
    {
      config: { access: 'session' },
      schema: {
        tags: ['notifications'],
        summary: 'Set my own notification preferences (channels, muted kinds, quiet hours, addresses)',
        body: Type.Ref('NotifyPrefs'),
        response: { 200: PrefsView, ...errors(400, 401) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      await notify.setPrefs(`user:${p.id}`, request.body as Static<typeof NotifyPrefsBody>);
      return notify.prefs(p);
    },
  );

  app.put(
    '/api/v1/notifications/preferences/roles/:role',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['notifications'],
        summary: "Set a role's notification preferences (what its users get unless they set their own)",
        params: Type.Object({ role: Type.Union(notifiableRoles.map((r) => Type.Literal(r))) }),
        body: Type.Ref('NotifyPrefs'),
        response: { 200: Type.Object({ ok: Type.Boolean() }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      await notify.setPrefs(
        `role:${request.params.role as Role}`,
        request.body as Static<typeof NotifyPrefsBody>,
      );
      return { ok: true };
    },
  );
}
