/**
 * Every interface string exists in all six UN languages, with the same `{holes}`: the main
 * tables and the extra ones loaded on demand (`chair-*.js`).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import ar from '../js/locales/ar.js';
import en from '../js/locales/en.js';
import es from '../js/locales/es.js';
import fr from '../js/locales/fr.js';
import ru from '../js/locales/ru.js';
import zh from '../js/locales/zh.js';
import chairAr from '../js/locales/chair-ar.js';
import chairEn from '../js/locales/chair-en.js';
import chairEs from '../js/locales/chair-es.js';
import chairFr from '../js/locales/chair-fr.js';
import chairRu from '../js/locales/chair-ru.js';
import chairZh from '../js/locales/chair-zh.js';

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
    const same = Object.keys(en).filter((k) => table[k] === en[k] && !/^(transcript\.lastHash|kind\.caucus|kind\.consultation|m49\.\d+)$/.test(k));
    assert.ok(same.length <= 3, `${code} repeats English for ${same.join(', ')}`);
  }
});

for (const [code, table] of Object.entries({ ar: chairAr, es: chairEs, fr: chairFr, ru: chairRu, zh: chairZh })) {
  test(`chair-${code} has every key of chair-en, with the same placeholders, and is no English copy`, () => {
    assert.deepEqual(Object.keys(table).sort(), Object.keys(chairEn).sort());
    for (const [key, text] of Object.entries(table)) {
      assert.ok(text.trim(), `chair-${code} ${key} is empty`);
      assert.deepEqual(holes(text), holes(chairEn[key]), `chair-${code} ${key}`);
    }
    const same = Object.keys(chairEn).filter((k) => table[k] === chairEn[k]);
    assert.ok(same.length <= 3, `chair-${code} repeats English for ${same.join(', ')}`);
  });
}

test('the extra tables add keys and override none of the main table', () => {
  const clash = Object.keys(chairEn).filter((k) => k in en);
  assert.deepEqual(clash, []);
});
