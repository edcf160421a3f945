/**
 * Every interface string exists in all six UN languages, with the same `{holes}`.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import ar from '../js/locales/ar.js';
import en from '../js/locales/en.js';
import es from '../js/locales/es.js';
import fr from '../js/locales/fr.js';
import ru from '../js/locales/ru.js';
import zh from '../js/locales/zh.js';

const holes = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

for (const [code, table] of Object.entries({ ar, es, fr, ru, zh })) {
  test(`${code} has every key of en, with the same placeholders`, () => {
    assert.deepEqual(Object.keys(table).sort(), Object.keys(en).sort());
    for (const [key, text] of Object.entries(table)) {
      assert.ok(text.trim(), `${code} ${key} is empty`);
      assert.deepEqual(holes(text), holes(en[key]), `${code} ${key}`);
    }
  });
}

test('the translations are not English copies', () => {
  for (const [code, table] of Object.entries({ ar, es, fr, ru, zh })) {
    // Place names (M49 areas) may be spelled alike in two languages (Asia, Melanesia …).
    const same = Object.keys(en).filter((k) => table[k] === en[k] && !/^(export\.akn|kind\.caucus|kind\.consultation|m49\.\d+)$/.test(k));
    assert.ok(same.length <= 3, `${code} repeats English for ${same.join(', ')}`);
  }
});
