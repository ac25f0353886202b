/**
 * `onegrid backup` / `onegrid restore` for the embedded mode: one tar file holding a manifest,
 * the PGlite data directory as PGlite's own dump (`dumpDataDir`, gzipped: the same path the test
 * snapshots take, so it is exercised on every run) and the attachment files. Taken with the data
 * dir locked (no server running on it), so the copy is consistent. PostgreSQL deployments use
 * pg_dump, base backups and WAL archiving instead (docs/operations.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { openPglite } from './pglite.ts';

export interface BackupManifest {
  format: 'onegrid-backup';
  version: 1;
  createdAt: string;
  migrations: string[];
  attachments: number;
}

function listFiles(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return listFiles(full, base);
    return e.isFile() ? [path.relative(base, full)] : [];
  });
}

/** Writes `file` from the embedded database in `dataDir` and the files in `attachmentsDir`. */
export async function backupEmbedded(options: {
  dataDir: string;
  attachmentsDir: string;
  file: string;
}): Promise<BackupManifest> {
  if (!fs.existsSync(path.join(options.dataDir, 'pgdata'))) {
    throw new Error(`no embedded database in ${options.dataDir}`);
  }
  const db = await openPglite({ dataDir: options.dataDir });
  let dump: Blob;
  let migrations: string[];
  try {
    migrations = (
      await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')
    ).rows.map((r) => r.name);
    dump = await db.pglite.dumpDataDir('gzip');
  } finally {
    await db.close();
  }
  const attachments = listFiles(options.attachmentsDir);
  const manifest: BackupManifest = {
    format: 'onegrid-backup',
    version: 1,
    createdAt: new Date().toISOString(),
    migrations,
    attachments: attachments.length,
  };
  const pack = tar.pack();
  const tmp = `${options.file}.${process.pid}.tmp`;
  const written = pipeline(pack, fs.createWriteStream(tmp));
  const add = (name: string, data: Buffer) =>
    new Promise<void>((resolve, reject) => {
      pack.entry({ name, size: data.length }, data, (err) => (err ? reject(err) : resolve()));
    });
  try {
    await add('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2)));
    await add('pgdata.tar.gz', Buffer.from(await dump.arrayBuffer()));
    for (const rel of attachments) {
      await add(
        `attachments/${rel.split(path.sep).join('/')}`,
        fs.readFileSync(path.join(options.attachmentsDir, rel)),
      );
    }
    pack.finalize();
    await written;
    fs.renameSync(tmp, options.file);
  } catch (e) {
    pack.destroy();
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return manifest;
}

/**
 * Restores a backup into `dataDir` (which must hold no database, unless `force`: then the old one
 * is moved aside to `pgdata.before-restore-<time>`), attachments into `attachmentsDir`.
 */
export async function restoreEmbedded(options: {
  dataDir: string;
  attachmentsDir: string;
  file: string;
  force?: boolean;
}): Promise<BackupManifest> {
  if (!fs.existsSync(options.file)) throw new Error(`file not found: ${options.file}`);
  const pgdata = path.join(options.dataDir, 'pgdata');
  const occupied = fs.existsSync(pgdata) && fs.readdirSync(pgdata).length > 0;
  if (occupied && !options.force) {
    throw new Error(`${options.dataDir} already holds a database; restore into an empty dir or use --force`);
  }
  const extract = tar.extract();
  const reading = pipeline(fs.createReadStream(options.file), extract);
  let manifest: BackupManifest | undefined;
  let dump: Buffer | undefined;
  const files: { rel: string; data: Buffer }[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const data = Buffer.concat(chunks);
    const name = entry.header.name;
    if (name === 'manifest.json') manifest = JSON.parse(data.toString('utf8')) as BackupManifest;
    else if (name === 'pgdata.tar.gz') dump = data;
    else if (name.startsWith('attachments/')) {
      const rel = path.normalize(name.slice('attachments/'.length));
      // Never outside the attachments folder, whatever the archive says.
      if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`unsafe path in backup: ${name}`);
      files.push({ rel, data });
    }
  }
  await reading;
  if (manifest?.format !== 'onegrid-backup' || !dump) {
    throw new Error(`${options.file} is not a OneGrid backup (no manifest or no database)`);
  }
  if (occupied) fs.renameSync(pgdata, `${pgdata}.before-restore-${Date.now()}`);
  const db = await openPglite({ dataDir: options.dataDir, loadDataDir: new Blob([new Uint8Array(dump)]) });
  try {
    const n = await db.query('SELECT name FROM schema_migrations');
    if (n.rows.length !== manifest.migrations.length) {
      throw new Error('the restored database does not match the backup manifest');
    }
  } finally {
    await db.close();
  }
  for (const f of files) {
    const target = path.join(options.attachmentsDir, f.rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, f.data);
  }
  return manifest;
}
