/**
 * Every interface string exists in all six UN languages, with the same `{holes}`: the main
 * tables and the extra ones loaded on demand (`chair-*.js`, `search-*.js`, `reg-*.js`, `desk-*.js`, `caucus-*.js`).
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

/** Keys that may read the same in English and another language (place names, loan words). */
const ALIKE = /^(transcript\.lastHash|export\.akn|kind\.caucus|kind\.consultation|m49\.\d+)$/;

test('the translations are not English copies', () => {
  for (const [code, table] of Object.entries({ ar, es, fr, ru, zh })) {
    const same = Object.keys(en).filter((k) => table[k] === en[k] && !ALIKE.test(k));
    assert.ok(same.length <= 3, `${code} repeats English for ${same.join(', ')}`);
  }
});

/** The extra tables, loaded on demand by `loadStrings(NAME)`. */
const EXTRA = ['chair', 'search', 'reg', 'desk', 'caucus'];
const CODES = ['ar', 'en', 'es', 'fr', 'ru', 'zh'];
const extras = {};
for (const name of EXTRA) {
  extras[name] = {};
  for (const code of CODES) extras[name][code] = (await import(`../js/locales/${name}-${code}.js`)).default;
}

for (const name of EXTRA) {
  const base = extras[name].en;
  for (const code of CODES.filter((c) => c !== 'en')) {
    const table = extras[name][code];
    test(`${name}-${code} has every key of ${name}-en, with the same placeholders, and is no English copy`, () => {
      assert.deepEqual(Object.keys(table).sort(), Object.keys(base).sort());
      for (const [key, text] of Object.entries(table)) {
        assert.ok(text.trim(), `${name}-${code} ${key} is empty`);
        assert.deepEqual(holes(text), holes(base[key]), `${name}-${code} ${key}`);
      }
      const same = Object.keys(base).filter((k) => table[k] === base[k] && !ALIKE.test(k));
      assert.ok(same.length <= 3, `${name}-${code} repeats English for ${same.join(', ')}`);
    });
  }
}

test('the extra tables add keys and override none of the main table or of each other', () => {
  const seen = new Set(Object.keys(en));
  for (const name of EXTRA) {
    const clash = Object.keys(extras[name].en).filter((k) => seen.has(k));
    assert.deepEqual(clash, [], `${name}-en`);
    for (const k of Object.keys(extras[name].en)) seen.add(k);
  }
});
