/**
 * `onegrid import` as a person runs it: a real process, on a fresh embedded data dir (PGlite) or,
 * with ONEGRID_TEST_ENGINE=postgres, on a test database through DATABASE_URL. A fresh PGlite with
 * PostGIS takes 15 s or more to start, so the runs that need one share one data dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb, testEngine } from '../../server/test/db-harness.ts';
import {
  feature,
  polygon,
  square,
  tempDir,
  writeGeoJson,
  writeText,
} from '../../server/test/import-fixture.ts';
import { onegridOn as onegrid } from './cli-harness.ts';

describe(`onegrid import (command line, ${testEngine})`, () => {
  const tmp = tempDir('onegrid-cli-import-');
  let pg: TestDb | undefined;
  beforeAll(async () => {
    if (testEngine === 'postgres') pg = await openTestDb();
  });
  const dataDir = path.join(tmp.dir, 'data');
  const districts = writeGeoJson(tmp.dir, 'districts.geojson', [
    feature({ adcode: 310101, name: '黄浦区' }, polygon(square(121.46, 31.21, 0.04))),
    feature({ adcode: 310104, name: '徐汇区' }, polygon(square(121.4, 31.15, 0.05))),
    feature({ adcode: 31010, name: '五位区' }, polygon(square(121.3, 31.15, 0.01))),
  ]);
  afterAll(async () => {
    await pg?.close();
    tmp.remove();
  });

  it('exits non-zero with a clear message for an unknown kind or a missing file, before opening a database', async () => {
    const [kind, missing] = await Promise.all([
      onegrid(['import', 'parks', districts], dataDir),
      onegrid(['import', 'districts', path.join(tmp.dir, 'nope.geojson')], dataDir),
    ]);
    expect(kind.code).toBe(1);
    expect(kind.stderr).toContain('onegrid: unknown kind "parks"; kinds: districts, streets, communities');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`onegrid: file not found: ${path.join(tmp.dir, 'nope.geojson')}\n`);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it.skipIf(testEngine === 'postgres')(
    'says who holds the embedded data dir when a server has it, and exits 1',
    async () => {
      const locked = path.join(tmp.dir, 'locked');
      fs.mkdirSync(locked);
      // This test process stands in for the running server: alive, and not the command's own pid.
      fs.writeFileSync(path.join(locked, 'onegrid.lock'), String(process.pid));
      const r = await onegrid(['import', 'districts', districts], locked);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `onegrid: The embedded database in ${locked} is in use by another OneGrid process (pid ${process.pid}). ` +
          'Stop that server first, or point this command at it with DATABASE_URL in server mode.\n',
      );
      expect(fs.readFileSync(path.join(locked, 'onegrid.lock'), 'utf8')).toBe(String(process.pid));
    },
  );

  it('imports and prints the report; malformed JSON fails with exit 1', async () => {
    const r = await onegrid(['import', 'districts', districts, '--crs', 'wgs84'], dataDir, pg?.url);
    expect(r.stderr).toContain(`importing districts from ${districts} (geojson, wgs84)`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^import districts from .*districts\.geojson \(geojson, wgs84\) — run 1: done$/m,
    );
    expect(r.stdout).toMatch(/^ {2}rows read {2}3$/m);
    expect(r.stdout).toMatch(/^ {2}imported {3}2$/m);
    expect(r.stdout).toMatch(/^ {2}rejected {3}1 {2}\(bad_code 1\)$/m);
    expect(r.stdout).toContain('row 3  31010  district (GB/T 2260) code "31010" has 5 digits; it needs 6');

    const broken = writeText(
      tmp.dir,
      'broken.geojson',
      '{"type":"FeatureCollection","features":[{"type":"Feature",',
    );
    const b = await onegrid(['import', 'districts', broken], dataDir, pg?.url);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/^onegrid: malformed JSON: /m);
    expect(b.stdout).toBe('');
  }, 240_000);

  it('imports devices with their tokens into a file only its owner reads, and never writes over it', async () => {
    const csv = writeText(
      tmp.dir,
      'sensors.csv',
      'id,type,name,lng,lat\nhp-smoke-9,smoke,人民广场烟感,121.47,31.23\nhp-x,teleporter,未知,121.47,31.23\n',
    );
    const tokens = path.join(tmp.dir, 'tokens.csv');
    const none = await onegrid(['import', 'devices', csv], path.join(tmp.dir, 'unused'));
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('import devices needs --tokens <file>');
    expect(fs.existsSync(path.join(tmp.dir, 'unused'))).toBe(false);

    const r = await onegrid(['import', 'devices', csv, '--tokens', tokens], dataDir, pg?.url);
    expect(r.stderr).not.toContain('onegrid:');
    expect(r.stdout).toMatch(/^ {2}imported {3}1$/m);
    expect(r.stdout).toContain('unknown device type "teleporter"');
    expect(fs.statSync(tokens).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(tokens, 'utf8')).toMatch(/^id,token\nhp-smoke-9,[\w-]{32}\n$/);
    const again = await onegrid(['import', 'devices', csv, '--tokens', tokens], dataDir, pg?.url);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists; tokens are never written over');
  }, 240_000);
});
