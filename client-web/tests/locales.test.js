/**
 * Every interface string exists in all six UN languages, with the same `{holes}`: the main
 * tables and the extra ones loaded on demand (`chair-*.js`, `search-*.js`, `reg-*.js`,
 * `desk-*.js`, `minutes-*.js`, `redact-*.js`, `deadline-*.js`, `caucus-*.js`).
 * A plural entry (an object of forms) has every plural category of its language, as
 * `Intl.PluralRules` names them, and no form has a hole the English lacks.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import ar from '../js/locales/ar.js';
import en from '../js/locales/en.js';
import es from '../js/locales/es.js';
import fr from '../js/locales/fr.js';
import ru from '../js/locales/ru.js';
import zh from '../js/locales/zh.js';

/** The holes of a string, or of a plural entry's `other` form. */
const holes = (value) => [...textOf(value).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const textOf = (value) => (typeof value === 'object' ? value.other : value);

/** Fails unless `value` is a string, or a plural entry complete for `code` whose forms use only `base`'s holes. */
function checkForms(code, key, value, base) {
  if (typeof value === 'string') return assert.ok(value.trim(), `${code} ${key} is empty`);
  const categories = new Intl.PluralRules(code).resolvedOptions().pluralCategories;
  assert.deepEqual(Object.keys(value).sort(), [...categories].sort(), `${code} ${key}: plural forms`);
  const allowed = new Set(holes(base));
  for (const [category, form] of Object.entries(value)) {
    assert.ok(form.trim(), `${code} ${key}.${category} is empty`);
    for (const hole of holes(form)) assert.ok(allowed.has(hole), `${code} ${key}.${category} has {${hole}}`);
  }
}

test('t() takes the plural form of the count and groups its digits; English plural entries are complete', async () => {
  const { t } = await import('../js/i18n.js');
  assert.equal(t('rooms.count', { count: 1 }), '1 room');
  assert.equal(t('rooms.count', { count: 1234 }), '1,234 rooms');
  assert.equal(t('rt.secondsLeft', { count: 1 }), '1 second left.');
  for (const [key, value] of Object.entries(en)) checkForms('en', key, value, value);
  assert.equal(new Intl.PluralRules('ar').select(3), 'few');
  assert.equal(new Intl.PluralRules('ru').select(21), 'one');
});

for (const [code, table] of Object.entries({ ar, es, fr, ru, zh })) {
  test(`${code} has every key of en, with the same placeholders`, () => {
    assert.deepEqual(Object.keys(table).sort(), Object.keys(en).sort());
    for (const [key, text] of Object.entries(table)) {
      checkForms(code, key, text, en[key]);
      assert.deepEqual(holes(text), holes(en[key]), `${code} ${key}`);
    }
  });
}

/** Keys that may read the same in English and another language (place names, loan words). */
const ALIKE = /^(transcript\.lastHash|cons\.figures\.organisations|export\.akn|kind\.caucus|kind\.consultation|m49\.\d+)$/;

test('the translations are not English copies', () => {
  for (const [code, table] of Object.entries({ ar, es, fr, ru, zh })) {
    const same = Object.keys(en).filter((k) => textOf(table[k]) === textOf(en[k]) && !ALIKE.test(k));
    assert.ok(same.length <= 3, `${code} repeats English for ${same.join(', ')}`);
  }
});

/** The extra tables, loaded on demand by `loadStrings(NAME)`. */
const EXTRA = ['chair', 'search', 'reg', 'desk', 'minutes', 'redact', 'deadline', 'caucus'];
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
        checkForms(code, key, text, base[key]);
        assert.deepEqual(holes(text), holes(base[key]), `${name}-${code} ${key}`);
      }
      const same = Object.keys(base).filter((k) => textOf(table[k]) === textOf(base[k]) && !ALIKE.test(k));
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
