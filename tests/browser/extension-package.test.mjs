// The packages a worker installs (extension/build --package): the same bytes when rebuilt from
// the same commit, whatever the build's time and umask, holding exactly the built folder, with the
// workspace's version in the manifest and the file name; and the store listings' texts against
// the manifest. (web-ext lint of the Firefox package: extension-package-lint.test.mjs.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const dist = path.join(root, 'extension', 'dist');

const workspaceVersion = execFileSync('python3', ['-c',
  'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["workspace"]["package"]["version"])'],
{ cwd: root, encoding: 'utf8' }).trim();
const packages = {
  chromium: `piecerate-chromium-${workspaceVersion}.zip`,
  firefox: `piecerate-firefox-${workspaceVersion}.xpi`,
};

function build(umask) {
  // The umask is the shell's, so that the copied files' modes differ between the two builds.
  execFileSync('bash', ['-c', `umask ${umask} && extension/build --package`], { cwd: root, stdio: 'inherit' });
}

/// Each entry of a zip as Python's zipfile reads it: name, time, Unix mode, size.
function entries(file) {
  return JSON.parse(execFileSync('python3', ['-c', `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as package:
    print(json.dumps([{"name": e.filename, "date_time": list(e.date_time), "mode": e.external_attr >> 16,
                       "size": e.file_size, "compressed": e.compress_type == zipfile.ZIP_DEFLATED}
                      for e in package.infolist()]))
`, file], { encoding: 'utf8' }));
}

function filesUnder(folder, prefix = '') {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory()
    ? filesUnder(path.join(folder, entry.name), `${prefix}${entry.name}/`)
    : [`${prefix}${entry.name}`]));
}

let first;
let firstManifest;
let scratch;

before(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'piecerate-package-'));
  // The restrictive umask first, so that the folder the other tests load is left as usual.
  build('077');
  first = Object.fromEntries(Object.entries(packages).map(([browser, name]) => [browser, readFileSync(path.join(dist, name))]));
  firstManifest = statSync(path.join(dist, 'chromium', 'manifest.json'));
  build('022');
});

after(() => rmSync(scratch, { recursive: true, force: true }));

test('a second build gives byte-identical packages', () => {
  // Otherwise the comparison below would prove nothing about the files' times and modes.
  const manifest = statSync(path.join(dist, 'chromium', 'manifest.json'));
  assert.notEqual(manifest.mtimeMs, firstManifest.mtimeMs);
  assert.deepEqual([firstManifest.mode & 0o777, manifest.mode & 0o777], [0o600, 0o644]);
  for (const [browser, name] of Object.entries(packages)) {
    assert.ok(readFileSync(path.join(dist, name)).equals(first[browser]), `${name} differs between two builds`);
  }
  assert.deepEqual(readdirSync(dist).filter((name) => !statSync(path.join(dist, name)).isDirectory()).sort(),
    Object.values(packages).sort(), 'only this version\'s two packages are in extension/dist');
});

test('each package holds exactly its built folder, sorted, with fixed times and modes', () => {
  const commitTime = Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' }));
  const when = new Date(Math.max(commitTime, 315532800) * 1000);
  const expectedTime = [when.getUTCFullYear(), when.getUTCMonth() + 1, when.getUTCDate(),
    when.getUTCHours(), when.getUTCMinutes(), when.getUTCSeconds() - (when.getUTCSeconds() % 2)];
  for (const [browser, name] of Object.entries(packages)) {
    const folder = path.join(dist, browser);
    const listed = entries(path.join(dist, name));
    const files = filesUnder(folder).sort();
    assert.deepEqual(listed.map((entry) => entry.name), files, `${name}: the entries are the folder's files, sorted`);
    for (const entry of listed) {
      assert.deepEqual(entry.date_time, expectedTime, `${name}: ${entry.name} carries the commit's time`);
      assert.equal(entry.mode, 0o100644, `${name}: ${entry.name} is a regular file with mode 0644`);
      assert.equal(entry.size, statSync(path.join(folder, entry.name)).size, `${name}: ${entry.name} has the built file's size`);
      assert.ok(entry.compressed, `${name}: ${entry.name} is deflated`);
    }
    // And the contents, through an extraction by another reader than the writer's own listing.
    const extracted = path.join(scratch, browser);
    execFileSync('python3', ['-m', 'zipfile', '-e', path.join(dist, name), extracted]);
    for (const file of files) {
      assert.ok(readFileSync(path.join(extracted, file)).equals(readFileSync(path.join(folder, file))), `${name}: ${file} is the built file`);
    }
  }
});

test('the manifests carry the workspace version', () => {
  assert.match(workspaceVersion, /^\d+(\.\d+){0,3}$/);
  for (const name of Object.values(packages)) {
    const manifest = JSON.parse(execFileSync('python3', ['-c',
      'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read("manifest.json").decode())',
      path.join(dist, name)], { encoding: 'utf8' }));
    assert.equal(manifest.version, workspaceVersion, `${name}: the manifest's version`);
  }
  const source = JSON.parse(readFileSync(path.join(root, 'extension', 'manifest.json'), 'utf8'));
  assert.equal(source.version, undefined, 'the version is written in one place, Cargo.toml');
});

/// The text under `## heading` in a store listing, up to the next heading.
function section(listing, heading) {
  const start = listing.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `no "## ${heading}"`);
  const rest = listing.slice(start + heading.length + 5);
  const end = rest.indexOf('\n## ');
  return (end < 0 ? rest : rest.slice(0, end)).trim();
}

test('the store listings name the manifest\'s texts and justify every permission it asks for', () => {
  const manifest = JSON.parse(readFileSync(path.join(dist, 'chromium', 'manifest.json'), 'utf8'));
  const asked = [...manifest.permissions, ...manifest.host_permissions, ...manifest.optional_host_permissions].sort();
  for (const [language, headings] of Object.entries({
    en: { name: 'Name', short: 'Short description', permissions: 'Permissions' },
    fr: { name: 'Nom', short: 'Description courte', permissions: 'Autorisations' },
  })) {
    const listing = readFileSync(path.join(root, 'extension', 'store', `${language}.md`), 'utf8');
    const messages = JSON.parse(readFileSync(path.join(root, 'extension', 'static', '_locales', language, 'messages.json'), 'utf8'));
    assert.equal(section(listing, headings.name), messages.extensionName.message, `${language}: the name`);
    const short = messages.extensionDescription.message;
    assert.equal(section(listing, headings.short), short, `${language}: the short description is the manifest's`);
    // The Chrome Web Store refuses a manifest description over 132 characters.
    assert.ok([...short].length <= 132, `${language}: ${[...short].length} characters`);
    const justified = [...section(listing, headings.permissions).matchAll(/^- `([^`]+)`/gm)].map((match) => match[1]).sort();
    assert.deepEqual(justified, asked, `${language}: one justification per permission`);
  }
});
