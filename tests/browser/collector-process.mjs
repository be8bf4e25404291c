// The real collector (target/debug/piecerate-collector on SQLite) as the extension's tests run
// it, and its database read with Python's sqlite3 (no client library needed).
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const COLLECTOR = path.resolve(here, '..', '..', 'target', 'debug', 'piecerate-collector');

/// Starts the collector on `listen` with the SQLite database at `database` (and any further
/// flags of `serve`); resolves once it says where it listens.
/// Enrollment's proof of work is solved by the extension at 16 bits rather than the default 20:
/// the same code, a sixteenth of the wait on a loaded test machine.
export async function startCollector(database, listen, flags = ['--enroll-difficulty-bits', '16']) {
  const child = spawn(COLLECTOR, ['serve', '--listen', listen, '--database-url', `sqlite://${database}`, ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
  const address = await new Promise((resolve, reject) => {
    let output = '';
    child.stderr.on('data', (chunk) => {
      output += chunk;
      // Only a whole line: a chunk can end inside the address.
      const match = output.match(/listening on (http:\/\/[0-9.:]+)\n/);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`collector exited with ${code}: ${output}`)));
  });
  return {
    child,
    address,
    running: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/// Rows of the collector's database.
export function query(database, sql) {
  const out = execFileSync('python3', ['-c', `import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.row_factory = sqlite3.Row
print(json.dumps([dict(row) for row in db.execute(sys.argv[2])]))`, database, sql]);
  return JSON.parse(out);
}
