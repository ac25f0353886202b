import { loadConfig, openDatabase, verifyAuditChain } from '@onegrid/server';
import type { Command } from 'commander';

/** `onegrid audit verify`: recomputes the audit hash chain; exit 0 when intact, 1 naming the first broken entry. */
export function registerAudit(program: Command) {
  const cmd = program.command('audit').description('the tamper-evident audit log (docs/security.md)');
  cmd
    .command('verify')
    .description(
      'check that no audit entry was changed or removed; exits non-zero naming the first broken one',
    )
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const db = await openDatabase(loadConfig());
      let ok = false;
      try {
        const r = await verifyAuditChain(db);
        ok = r.ok;
        if (opts.json) console.log(JSON.stringify(r));
        else if (r.ok) {
          console.log(
            `audit chain intact: ${r.checked} entries (seq ${r.anchor.seq + 1}–${r.head.seq}), head ${r.head.hash}`,
          );
        } else {
          console.error(`audit chain broken at entry ${r.broken?.seq}: ${r.broken?.reason}`);
        }
      } finally {
        await db.close();
      }
      if (!ok) process.exitCode = 2;
    });
}
