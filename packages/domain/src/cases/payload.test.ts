import { describe, expect, it } from 'vitest';
import { actionTable, caseActionNames } from './case-machine.ts';
import { type ActionPayload, parsePayload, payloadSchema } from './payload.ts';

describe('parsePayload', () => {
  it('parses every kind of field', () => {
    const r = parsePayload(
      {
        reason: 'required',
        until: 'optional',
        duration: 'optional',
        passed: 'optional',
        category: 'optional',
      },
      {
        reason: '  parts on order ',
        until: '2026-11-27T17:30:00+08:00',
        duration: { days: 1, hours: 2 },
        passed: false,
        category: '06010',
        photos: [' a.jpg '],
        location: { lng: 121.47, lat: 31.23 },
        version: 7,
      },
    );
    expect(r).toEqual({
      ok: true,
      input: {
        reason: 'parts on order',
        until: new Date('2026-11-27T09:30:00Z'),
        duration: { days: 1, hours: 2 },
        passed: false,
        category: '06010',
        photos: ['a.jpg'],
        location: { lng: 121.47, lat: 31.23 },
      },
    });
  });

  it.each([
    [{ category: 'optional' }, { category: '6010' }, 'category'],
    [{ urgency: 'optional' }, { urgency: 'high' }, 'urgency'],
    [{ areaClass: 'optional' }, { areaClass: 'D' }, 'areaClass'],
    [{ closeType: 'optional' }, { closeType: 'done' }, 'closeType'],
    [{ target: 'required' }, { target: 'up' }, 'target'],
    [{ confirmed: 'optional' }, { confirmed: 'true' }, 'confirmed'],
    [{ until: 'optional' }, { until: 12 }, 'until'],
    [{ duration: 'optional' }, { duration: { hours: -1 } }, 'duration'],
    [{ duration: 'optional' }, { duration: [1] }, 'duration'],
    [{ duration: 'optional' }, { duration: { hours: Number.POSITIVE_INFINITY } }, 'duration'],
    [{}, { photos: 'a.jpg' }, 'photos'],
    [{}, { photos: [1] }, 'photos'],
    [{}, { photos: Array.from({ length: 21 }, (_, i) => `${i}.jpg`) }, 'photos'],
    [{}, { location: { lng: 200, lat: 31 } }, 'location'],
    [{}, { location: 'here' }, 'location'],
    [{}, { note: 'x'.repeat(2001) }, 'note'],
    [{ departmentCode: 'required' }, { departmentCode: 'x'.repeat(65) }, 'departmentCode'],
    [{ departmentCode: 'required' }, { departmentCode: 42 }, 'departmentCode'],
  ] as const)('%o rejects %o in %s', (fields, body, field) => {
    expect(parsePayload(fields, body)).toMatchObject({ ok: false, field });
  });

  it('treats null as absent and an absent body as empty', () => {
    expect(parsePayload({ reason: 'optional' }, { reason: null })).toEqual({ ok: true, input: {} });
    expect(parsePayload({}, undefined)).toEqual({ ok: true, input: {} });
    expect(parsePayload({ reason: 'required' }, undefined)).toMatchObject({ ok: false, field: 'reason' });
  });
});

describe('payloadSchema', () => {
  it('gives every action a JSON Schema with its required fields', () => {
    for (const action of caseActionNames) {
      const schema = payloadSchema(actionTable[action].fields);
      expect(schema.type).toBe('object');
      expect(Object.keys(schema.properties as object)).toEqual(
        expect.arrayContaining(['note', 'photos', 'location']),
      );
    }
    expect(payloadSchema(actionTable.dispatch.fields).required).toEqual(['departmentCode']);
    expect(payloadSchema(actionTable.verify.fields).required).toEqual(['passed']);
    expect(payloadSchema(actionTable.handle.fields).required).toEqual(['photos']);
    expect(payloadSchema(actionTable.comment.fields).required).toEqual(['note']);
    // reason may arrive as note, so it is not required by the schema.
    expect(payloadSchema(actionTable.reject.fields).required).toBeUndefined();
  });
});

describe('ActionPayload', () => {
  it('types each body from the table', () => {
    const dispatch: ActionPayload<'dispatch'> = { version: 3, departmentCode: 'D-1' };
    const close: ActionPayload<'close'> = { closeType: 'special', note: 'gone' };
    const extension: ActionPayload<'request-extension'> = {
      reason: 'parts',
      until: '2026-11-27T17:30:00+08:00',
    };
    const handle: ActionPayload<'handle'> = { photos: ['after.jpg'] };
    // @ts-expect-error a dispatch names its department
    const missing: ActionPayload<'dispatch'> = { version: 3 };
    // @ts-expect-error handle needs after-photos
    const noPhotos: ActionPayload<'handle'> = { note: 'done' };
    // @ts-expect-error verify's passed is a boolean
    const wrong: ActionPayload<'verify'> = { passed: 'yes' };
    for (const body of [dispatch, close, extension, handle, missing, noPhotos, wrong])
      expect(body).toBeTypeOf('object');
  });
});
