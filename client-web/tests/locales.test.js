/**
 * Every interface string exists in all six UN languages, with the same `{holes}`: the main
 * tables and the part loaded with the registry's pages (`reg-*.js`).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import ar from '../js/locales/ar.js';
import en from '../js/locales/en.js';
import es from '../js/locales/es.js';
import fr from '../js/locales/fr.js';
import ru from '../js/locales/ru.js';
import zh from '../js/locales/zh.js';
import regAr from '../js/locales/reg-ar.js';
import regEn from '../js/locales/reg-en.js';
import regEs from '../js/locales/reg-es.js';
import regFr from '../js/locales/reg-fr.js';
import regRu from '../js/locales/reg-ru.js';
import regZh from '../js/locales/reg-zh.js';

const holes = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

const PARTS = {
  main: [en, { ar, es, fr, ru, zh }],
  registry: [regEn, { ar: regAr, es: regEs, fr: regFr, ru: regRu, zh: regZh }],
};

for (const [part, [reference, others]] of Object.entries(PARTS)) {
  for (const [code, table] of Object.entries(others)) {
    test(`${code} has every key of en (${part}), with the same placeholders`, () => {
      assert.deepEqual(Object.keys(table).sort(), Object.keys(reference).sort());
      for (const [key, text] of Object.entries(table)) {
        assert.ok(text.trim(), `${code} ${key} is empty`);
        assert.deepEqual(holes(text), holes(reference[key]), `${code} ${key}`);
      }
    });
  }

  test(`the translations are not English copies (${part})`, () => {
    for (const [code, table] of Object.entries(others)) {
      // Place names (M49 areas) may be spelled alike in two languages (Asia, Melanesia …).
      const same = Object.keys(reference).filter((k) => table[k] === reference[k] && !/^(transcript\.lastHash|kind\.caucus|kind\.consultation|m49\.\d+)$/.test(k));
      assert.ok(same.length <= 3, `${code} repeats English for ${same.join(', ')}`);
    }
  });
}

test('the registry part adds keys and overrides none of the main tables', () => {
  const clash = Object.keys(regEn).filter((k) => k in en);
  assert.deepEqual(clash, []);
});
