// The Firefox package as Mozilla's validator reads it: `web-ext lint` (npm web-ext, pinned in
// package.json) of piecerate-firefox-VERSION.xpi, unzipped, must report no error, no warning
// and no notice. The package is extension/dist's (extension/build --package), or the one in
// PIECERATE_PACKAGES (a release folder), so that what is published is what is checked.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const packages = path.resolve(process.env.PIECERATE_PACKAGES ?? path.join(here, '..', '..', 'extension', 'dist'));

let scratch;
let xpi;

before(() => {
  const found = readdirSync(packages).filter((name) => /^piecerate-firefox-[0-9.]+\.xpi$/.test(name));
  assert.equal(found.length, 1, `one Firefox package in ${packages}: ${found.join(', ')}`);
  xpi = path.join(packages, found[0]);
  scratch = mkdtempSync(path.join(tmpdir(), 'piecerate-lint-'));
});

after(() => rmSync(scratch, { recursive: true, force: true }));

/// The package unzipped into a new folder of the scratch directory.
function unzipped(name) {
  const folder = path.join(scratch, name);
  execFileSync('python3', ['-m', 'zipfile', '-e', xpi, folder]);
  return folder;
}

/// `web-ext lint` of a folder: its JSON report (no update check, which would reach the registry).
function lint(folder) {
  const result = spawnSync(path.join(here, 'node_modules', '.bin', 'web-ext'),
    ['lint', '--source-dir', folder, '--output', 'json', '--no-config-discovery'],
    { encoding: 'utf8', env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } });
  assert.ok(result.stdout.trim().startsWith('{'), `web-ext lint failed to run: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout);
}

test('the Firefox package passes web-ext lint with no error, warning or notice', () => {
  const folder = unzipped('as-shipped');
  const report = lint(folder);
  const messages = [...report.errors, ...report.warnings, ...report.notices]
    .map((message) => `${message.code} (${message.file ?? ''}${message.line ? `:${message.line}` : ''}): ${message.message}`);
  assert.deepEqual(messages, []);
  assert.deepEqual(report.summary, { errors: 0, notices: 0, warnings: 0 });
  // The declaration the lint asks for: nothing without the worker's opt-in.
  const declared = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8')).browser_specific_settings.gecko.data_collection_permissions;
  assert.deepEqual(declared.required, ['none']);
});

test('the lint catches what it is run for: an innerHTML assignment and a missing declaration', () => {
  const folder = unzipped('spoiled');
  const manifestPath = path.join(folder, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  delete manifest.browser_specific_settings.gecko.data_collection_permissions;
  writeFileSync(manifestPath, JSON.stringify(manifest));
  appendFileSync(path.join(folder, 'popup.js'), '\ndocument.body.innerHTML = location.hash;\n');
  const codes = lint(folder).warnings.map((warning) => warning.code).sort();
  assert.deepEqual(codes, ['MISSING_DATA_COLLECTION_PERMISSIONS', 'UNSAFE_VAR_ASSIGNMENT']);
});
