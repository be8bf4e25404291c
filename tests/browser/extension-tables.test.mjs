// The reference tables beside the module (reference-tables.bin): the popup shows figures from
// them only when they are the build's own. A copy of the built extension with the file edited
// by one byte, or emptied, opens a popup that names the problem and draws no figures.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { EXTENSION_DIR, launch } from './extension-helpers.mjs';

const shipped = readFileSync(path.join(EXTENSION_DIR, 'reference-tables.bin'));

async function openPopupWith(tables) {
  const folder = mkdtempSync(path.join(tmpdir(), 'piecerate-tables-'));
  cpSync(EXTENSION_DIR, folder, { recursive: true });
  writeFileSync(path.join(folder, 'reference-tables.bin'), tables);
  const browser = await launch('MAP nothing 127.0.0.1', folder);
  try {
    const page = await browser.context.newPage();
    await page.goto(browser.popupUrl);
    await page.waitForSelector('[data-figure="tables-error"]', { timeout: 15000 });
    return {
      alert: await page.textContent('[data-figure="tables-error"]'),
      opened: await page.$('body[data-opened-ms]'),
    };
  } finally {
    await browser.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

test('a reference-tables file edited by one byte is refused, with both SHA-256 values named', async () => {
  const edited = Buffer.from(shipped);
  edited[edited.length >> 1] ^= 1;
  const { alert, opened } = await openPopupWith(edited);
  assert.match(alert, /^the reference tables file is not the one this build was made with \(SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}\): reinstall the program$/);
  assert.equal(opened, null, 'no figures drawn from refused tables');
});

test('an empty reference-tables file is refused the same way', async () => {
  const { alert } = await openPopupWith(Buffer.alloc(0));
  assert.match(alert, /SHA-256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855, expected/);
});
