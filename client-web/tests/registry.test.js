/**
 * The registry, end to end in real Chromium against the real binary and a real SMTP server
 * (aiosmtpd, started here on a free port; the node is started here too, with `--smtp-relay`
 * pointing at it). Everything is done in the page: the secretariat creates an accredited-only
 * roundtable and its forum; two organisations apply through the public form (its field errors
 * shown first); the secretariat approves one and rejects the other, each with a reason; the
 * public page shows the decision and its reason (the other is first deferred with a question,
 * which its focal point answers in the page); the approved organisation's focal point opens
 * the sign-in link the registry mailed on application (which confirms the address: until then
 * the secretariat cannot decide) and names a representative (a second one is refused: the
 * quota); the representative's link, read from the message the SMTP server
 * received, signs them in; they request the floor and their speaking-list entry shows the
 * registry's organisation, constituency and country. The focal point picks the questions its
 * digest follows at `#/mail-settings`, and they are kept after a reload. Withdrawn, the accreditation leaves the
 * public list and the representative, still in the room, is signed out there with the reason. The rejected organisation cannot get in,
 * and a used link is refused in plain words. Screenshots go to docs/screenshots/registry-*.png.
 */

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAccessible, env, launch, startNode, startSmtpSink, waitForConnection, waitForMail } from './support.js';

const SECRETARIAT = env('BARAZA_TOKEN_SECRETARIAT');
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const ROOM = 'ffd-2027-dialogue';
const ROOM_TITLE = 'Financing for development 2027: regional dialogue';
const FORUM = 'Regional consultations on financing for development 2027';
const FORUM_ID = 'regional-consultations-on-financing-for-development-2027';
const APPROVAL = 'Two decades of work on trade finance for women in East Africa: meets the criteria.';
const REJECTION = 'No work on financing for development is shown.';
const QUESTION = 'Which of your projects concern financing for development?';
const ANSWER = 'We advise on tax arrangements; none is on public finance.';
const CONSULTATION = 'Consultation on trade finance for women';
const FOLLOWED = ['Which barriers to trade finance matter most?', 'What should development banks do first?'];

/** The sign-in link in a message. */
function linkIn(mail) {
  const match = mail.match(/(https?:\/\/[^\s]+#invite=[A-Za-z0-9._-]+)/);
  assert.ok(match, `no sign-in link in the message:\n${mail}`);
  return match[1];
}

describe('accreditation in the web client, with a real SMTP server', { concurrency: false }, () => {
  let smtp; let node; let browser; let base;
  let sec; let visitor;
  /** The rejected organisation's focal point, signed in with the link of its application. */
  let offshoreFocal; let offshoreLink;
  /** The representative, signed in with the link the SMTP server received. */
  let wanjiru;
  /** The approved organisation's focal point, signed in with the link of its application. */
  let witnFocal;
  before(async () => {
    smtp = await startSmtpSink();
    node = await startNode(['--smtp-relay', `127.0.0.1:${smtp.port}`, '--smtp-from', 'Baraza <registry@baraza.test>']);
    base = node.url;
    browser = await launch();
    sec = await open(`${base}/#token=${SECRETARIAT}`);
    await sec.page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
    visitor = await open(`${base}/#/accredited`);
  });
  after(async () => {
    await browser?.close();
    node?.stop();
    smtp?.stop();
  });

  async function open(url) {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
    await page.goto(url);
    return { context, page };
  }

  async function shot(page, name) {
    await page.screenshot({ path: path.join(SHOTS, `registry-${name}.png`), fullPage: true });
  }

  test('the secretariat creates an accredited-only roundtable and its forum in the page', async () => {
    const { page } = sec;
    await waitForConnection(page, 'online');
    await page.getByRole('link', { name: 'New room' }).click();
    // The room list has a "Kind" filter too: wait for the form before choosing.
    await page.getByRole('heading', { level: 1, name: 'New room' }).waitFor();
    await page.getByLabel('Kind').selectOption('roundtable');
    await page.getByLabel('Title', { exact: true }).fill(ROOM_TITLE);
    await page.getByLabel('Address (optional)').fill(ROOM);
    await page.getByRole('button', { name: 'Create the room' }).click();
    await page.getByRole('heading', { level: 1, name: ROOM_TITLE }).waitFor();
    await page.locator('#roundtable-panel #moderator-console').waitFor();
    // An item open for requests to speak.
    await page.getByText('Agenda and order of speakers').click();
    await page.getByLabel('New item').fill('Debt and fiscal space');
    await page.getByRole('button', { name: 'Add the item' }).click();
    await page.getByRole('button', { name: 'Open the item' }).click();
    await page.locator('#agenda li[aria-current="true"]', { hasText: 'Debt and fiscal space' }).waitFor();

    await page.locator('#site-nav').getByRole('link', { name: 'Registry' }).click();
    await page.getByRole('heading', { level: 1, name: 'Registry' }).waitFor();
    const form = page.locator('#forum-form');
    await form.getByLabel('Title of the forum').fill(FORUM);
    assert.equal(await form.getByLabel('Address of the forum').inputValue(), FORUM_ID);
    await form.getByLabel('Criteria of accreditation').fill('Work on financing for development in the region, for at least three years.');
    await form.getByLabel('Representatives per organisation').fill('1');
    await form.getByLabel(ROOM_TITLE).check();
    assert.ok(await form.getByLabel('Only representatives of accredited organisations may speak in its rooms').isChecked());
    await shot(page, '01-new-forum');
    await form.getByRole('button', { name: 'Create the forum' }).click();
    const forum = page.locator(`li.forum[data-forum="${FORUM_ID}"]`);
    await forum.waitFor();
    assert.match(await forum.textContent(), /up to 1 per organisation/);
    assert.match(await forum.textContent(), /Only representatives of accredited organisations/);
    await assertAccessible(page, 'registry (secretariat)');
  });

  test('unknown addresses say "page not found"; the public list links to the form', async () => {
    const { page } = visitor;
    await page.goto(`${base}/#/no-such-page`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    assert.match(await page.locator('#not-found').textContent(), /#\/no-such-page/);
    await page.locator('#site-nav').getByRole('link', { name: 'Accredited organisations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Accredited organisations' }).waitFor();
    await page.locator(`section[data-forum="${FORUM_ID}"]`, { hasText: 'No organisation is accredited yet.' }).waitFor();
    await page.locator('#apply-link').click();
    await page.getByRole('heading', { level: 1, name: 'Apply for accreditation' }).waitFor();
  });

  async function fillApplication(page, org) {
    await page.locator('#apply-forum option', { hasText: FORUM }).waitFor({ state: 'attached' });
    await page.locator('#apply-country option[value="KE"]').waitFor({ state: 'attached' });
    await page.getByLabel('Forum applied to').selectOption(FORUM_ID);
    await page.getByLabel('Name of the organisation').fill(org.name);
    await page.getByLabel('Acronym (optional)').fill(org.acronym || '');
    await page.getByLabel('Country').selectOption({ label: org.country });
    await page.getByLabel('Constituency').selectOption(org.constituency);
    await page.getByLabel('Website (optional)').fill(org.website || '');
    await page.getByLabel('ECOSOC consultative status').selectOption(org.ecosoc || 'none');
    if (org.year) await page.getByLabel('Year the status was granted').fill(String(org.year));
    for (const goal of org.sdgs || []) await page.getByLabel(`SDG ${goal}`, { exact: true }).check();
    await page.getByLabel('Name of the focal point').fill(org.focal);
    await page.getByLabel('E-mail address of the focal point').fill(org.email);
    await page.getByLabel('Competence and relevance to the forum').fill(org.statement);
  }

  test('an organisation applies through the public form; missing and refused fields are shown at the field', async () => {
    const { page } = visitor;
    await page.locator('#apply-forum option', { hasText: FORUM }).waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Send the application' }).click();
    await page.locator('#apply-name-error', { hasText: 'This field is required.' }).waitFor();
    assert.equal(await page.getByLabel('Name of the organisation').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#apply-error').textContent(), /Please correct the fields marked/);

    const witn = {
      name: 'Women in Trade Network', acronym: 'WITN', country: 'Kenya', constituency: 'women', website: 'witn.example',
      ecosoc: 'special', year: 2011, sdgs: [5, 10], focal: 'Achieng Otieno', email: 'focal@witn.example',
      statement: 'Two decades of work on trade finance for women traders in East Africa.',
    };
    await fillApplication(page, witn);
    await page.getByRole('button', { name: 'Send the application' }).click();
    // The server refuses the website (no scheme): said at that field, and nothing typed is lost.
    const websiteError = page.locator('#apply-website-error');
    await websiteError.waitFor();
    assert.match(await websiteError.textContent(), /Not accepted: .*website must be an http:\/\/ or https:\/\/ address/);
    assert.equal(await page.getByLabel('Name of the organisation').inputValue(), witn.name);
    await assertAccessible(page, 'application form');
    await shot(page, '02-application-refused-field');
    await page.getByLabel('Website (optional)').fill('https://witn.example');
    await page.getByRole('button', { name: 'Send the application' }).click();
    await page.locator('#apply-done', { hasText: 'Application received' }).waitFor();
    assert.match(await page.locator('#apply-done').textContent(), /A personal sign-in link was sent to focal@witn\.example\. Open it to confirm the address/);
    await shot(page, '03-application-received');

    // Until the focal point opens that link, the secretariat cannot decide: the address is not confirmed.
    await sec.page.goto(`${base}/#/registry`);
    await sec.page.reload();
    const waiting = sec.page.locator('li.application', { hasText: 'Women in Trade Network' });
    await waiting.locator('.unconfirmed', { hasText: 'Waiting for the focal point to confirm their e-mail address' }).waitFor();
    assert.equal(await waiting.getByRole('button', { name: 'Record the decision' }).count(), 0);
    const witnMail = await waitForMail(smtp.dir, (m) => m.includes('focal@witn.example'));
    assert.match(witnMail, /Subject: Your sign-in link to Baraza for Women in Trade Network/);
    witnFocal = await open(linkIn(witnMail));
    await witnFocal.page.getByRole('heading', { level: 1, name: 'Women in Trade Network (WITN)' }).waitFor();

    // A second organisation applies too.
    await page.goto(`${base}/#/accredited`);
    await page.goto(`${base}/#/apply`);
    await fillApplication(page, {
      name: 'Offshore Friends', country: 'France', constituency: 'business_industry', focal: 'Jean Martin',
      email: 'focal@offshore.example', statement: 'We advise companies on their tax arrangements.',
    });
    await page.getByRole('button', { name: 'Send the application' }).click();
    await page.locator('#apply-done', { hasText: 'Application received' }).waitFor();
    const offshoreMail = await waitForMail(smtp.dir, (m) => m.includes('focal@offshore.example'));
    offshoreLink = linkIn(offshoreMail);
    offshoreFocal = await open(offshoreLink);
    await offshoreFocal.page.getByRole('heading', { level: 1, name: 'Offshore Friends' }).waitFor();
  });

  test('the secretariat reviews both applications and decides each with a reason (a deferral answered first)', async () => {
    const { page } = sec;
    await page.reload();
    const witn = page.locator('li.application', { hasText: 'Women in Trade Network' });
    const offshore = page.locator('li.application', { hasText: 'Offshore Friends' });
    await witn.waitFor();
    assert.match(await witn.textContent(), /Kenya · African States · Women · Special consultative status \(since 2011\)/);
    assert.match(await witn.textContent(), /Waiting for a decision/);
    await witn.getByText('History (1)').click();
    assert.match(await witn.locator('ol.history').textContent(), /Applied: Two decades of work/);
    // A decision needs a reason.
    await witn.getByLabel('Approve').check();
    await witn.getByRole('button', { name: 'Record the decision' }).click();
    await witn.getByText('A reason is required.').waitFor();
    await witn.getByLabel('Reason (published with the decision)').fill(APPROVAL);
    await shot(page, '04-review');
    await witn.getByRole('button', { name: 'Record the decision' }).click();
    await page.locator('#registry-status', { hasText: 'Decision recorded: Approve.' }).waitFor();
    await page.locator('li.application[data-status="approved"]', { hasText: 'Women in Trade Network' }).waitFor();

    // The other is deferred with a question, which its focal point answers in the page.
    await offshore.getByLabel('Defer with questions').check();
    await offshore.getByLabel('Reason (published with the decision)').fill('The statement does not say how the work concerns financing for development.');
    await offshore.getByLabel('Questions to the organisation').fill(QUESTION);
    await offshore.getByRole('button', { name: 'Record the decision' }).click();
    await page.locator('li.application[data-status="deferred"]', { hasText: 'Offshore Friends' }).waitFor();

    const focal = offshoreFocal.page;
    await focal.reload();
    await focal.getByRole('heading', { level: 1, name: 'Offshore Friends' }).waitFor();
    const application = focal.locator('#my-applications li.application');
    assert.match(await application.textContent(), new RegExp(`Deferred.*${QUESTION.replace('?', '\\?')}`));
    await application.getByLabel('Your answer to the questions').fill(ANSWER);
    await application.getByRole('button', { name: 'Send the answer' }).click();
    await focal.locator('#registry-status', { hasText: 'Answer sent.' }).waitFor();
    assert.match(await focal.locator('#my-applications').textContent(), new RegExp(`Answered: ${ANSWER}`));
    await shot(focal, '05-deferred-answered');

    // Still to review, with the answer in its history; then rejected with a reason.
    await page.reload();
    await offshore.getByText('History (3)').click();
    assert.match(await offshore.locator('ol.history').textContent(), new RegExp(`Answered: ${ANSWER}`));
    await offshore.getByLabel('Reject').check();
    await offshore.getByLabel('Reason (published with the decision)').fill(REJECTION);
    await offshore.getByRole('button', { name: 'Record the decision' }).click();
    const rejected = page.locator('li.application[data-status="rejected"]', { hasText: 'Offshore Friends' });
    await rejected.waitFor();
    await rejected.getByText('History (4)').click();
    assert.match(await rejected.locator('ol.history').textContent(), new RegExp(`Rejected: ${REJECTION}`));
    // Both focal points were sent their sign-in link on application, and used it.
    const people = page.locator('#reg-invitations table');
    await people.locator('tr', { hasText: 'Achieng Otieno' }).waitFor();
    assert.match(await people.locator('tr', { hasText: 'Achieng Otieno' }).textContent(), /focal@witn\.example.*Focal point.*Used/);
    // A new link on request, shown for sending by other means; the list as a CSV file.
    const jean = people.locator('tr', { hasText: 'Jean Martin' });
    await jean.getByRole('button', { name: 'Send a new link' }).click();
    await page.locator('#issued-link input').waitFor();
    assert.match(await page.locator('#issued-link input').inputValue(), /#invite=/);
    await people.locator('tr', { hasText: 'Jean Martin' }).locator('.link-status', { hasText: '(2 sent)' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the list as CSV' }).click()]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    assert.match(csv, /^invitation,person,name,email,organisation,role,forum,issued_at,expires_at,used_at,revoked\r\n/);
    assert.equal(csv.split('\r\n').filter((line) => line.includes('focal@offshore.example')).length, 2, csv);
    await assertAccessible(page, 'registry after decisions');
    await shot(page, '06-decided');
  });

  test('the public page shows the decision and its reason, and the figures', async () => {
    const { page } = visitor;
    await page.goto(`${base}/#/accredited`);
    const row = page.locator(`section[data-forum="${FORUM_ID}"] table.accredited tr`, { hasText: 'Women in Trade Network' });
    await row.waitFor();
    const text = await row.textContent();
    for (const part of ['Women in Trade Network (WITN)', 'Kenya', 'Women', 'African States', 'Special consultative status (since 2011)', APPROVAL]) {
      assert.ok(text.includes(part), `the public row shows ${part}: ${text}`);
    }
    const section = await page.locator(`section[data-forum="${FORUM_ID}"]`).textContent();
    assert.ok(!section.includes('Offshore Friends'), 'a rejected organisation is not on the list');
    assert.ok(!section.includes('@'), 'nothing personal is public');
    assert.match(section, /Organisations that applied: 2\. Accredited now: 1\./);
    assert.match(await page.locator(`#forum-${FORUM_ID}-by-group`).textContent(), /African States11/);
    assert.match(await page.locator(`#forum-${FORUM_ID}-by-group`).textContent(), /Western European and other States10/);
    await assertAccessible(page, 'public list');
    await shot(page, '07-public-list');
    // In Arabic, right to left, with names of places and groups in Arabic.
    await page.getByLabel('Language').selectOption('ar');
    await page.getByRole('heading', { level: 1, name: 'المنظمات المعتمدة' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await page.locator('table.accredited td', { hasText: 'كينيا' }).waitFor();
    const arabic = await page.locator('#main').textContent();
    assert.ok(arabic.includes('كينيا') && arabic.includes('مجموعة الدول الأفريقية'), arabic);
    assert.doesNotMatch(arabic, /\breg\.[a-z]/, 'no untranslated key');
    await shot(page, '12-public-list-arabic');
    await page.getByLabel('اللغة').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Accredited organisations' }).waitFor();
  });

  test('the focal point, signed in with the mailed link, names a representative, up to the quota', async () => {
    const { page } = witnFocal;
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Women in Trade Network (WITN)' }).waitFor();
    assert.ok(!page.url().includes('invite'), `the code left the address bar: ${page.url()}`);
    await waitForConnection(page, 'online');
    assert.match(await page.locator('#my-applications').textContent(), new RegExp(`Accredited.*${APPROVAL}`));
    const reps = page.locator(`#reps-${FORUM_ID}`);
    assert.match(await reps.locator('.quota').textContent(), /0 of 1 named/);
    await reps.getByLabel('Name', { exact: true }).fill('Wanjiru Kamau');
    await reps.getByLabel('E-mail address', { exact: true }).fill('wanjiru@witn.example');
    await reps.getByRole('button', { name: 'Name and send the sign-in link' }).click();
    await page.locator('#registry-status', { hasText: 'The sign-in link was sent to Wanjiru Kamau at wanjiru@witn.example.' }).waitFor();
    await reps.locator('.quota', { hasText: '1 of 1 named' }).waitFor();
    // One more than the forum's quota is refused, clearly, and nothing is recorded.
    await reps.getByLabel('Name', { exact: true }).fill('Grace Njeri');
    await reps.getByLabel('E-mail address', { exact: true }).fill('grace@witn.example');
    await reps.getByRole('button', { name: 'Name and send the sign-in link' }).click();
    await reps.locator(`#reps-${FORUM_ID}-error`, { hasText: `Representatives allowed per organisation in ${FORUM}: 1. All are named` }).waitFor();
    assert.match(await reps.locator('.quota').textContent(), /1 of 1 named/);
    await assertAccessible(page, 'focal point');
    await shot(page, '08-focal-point-quota');
  });

  test('the focal point picks the questions its digest follows; saved, they are kept after a reload', async () => {
    // The secretariat opens a consultation with two questions, in the page.
    const { page } = sec;
    await page.goto(`${base}/#/rooms`);
    await page.getByRole('link', { name: 'New room' }).click();
    await page.getByRole('heading', { level: 1, name: 'New room' }).waitFor();
    await page.getByLabel('Kind').selectOption('consultation');
    await page.getByLabel('Title', { exact: true }).fill(CONSULTATION);
    await page.getByRole('button', { name: 'Create the room' }).click();
    await page.getByRole('heading', { level: 1, name: CONSULTATION }).waitFor();
    const setup = page.locator('#consultation-setup');
    for (const q of FOLLOWED) {
      await setup.getByLabel('New question').fill(q);
      await setup.getByRole('button', { name: 'Add the question' }).click();
      await setup.locator('li[data-setup-question]', { hasText: q }).waitFor();
    }
    await setup.getByRole('button', { name: 'Open the consultation' }).click();
    await setup.getByRole('button', { name: 'Yes, change the phase' }).click();
    await page.locator('#phase-banner[data-phase="open"]').waitFor();

    const focal = witnFocal.page;
    await focal.goto(`${base}/#/mail-settings`);
    await focal.getByRole('heading', { level: 1, name: 'E-mail settings' }).waitFor();
    const all = focal.getByRole('radio', { name: 'Every question of the consultations I take part in' });
    assert.ok(await all.isChecked(), 'every question until some are chosen');
    const second = focal.getByRole('checkbox', { name: FOLLOWED[1] });
    await second.check();
    assert.ok(await focal.getByRole('radio', { name: 'Only the questions ticked below' }).isChecked(), 'ticking a question chooses "only these"');
    await focal.getByLabel('Digest').selectOption('weekly');
    await focal.getByRole('button', { name: 'Save' }).click();
    await focal.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await assertAccessible(focal, 'mail settings');
    await shot(focal, '08b-mail-settings');

    await focal.reload();
    await focal.getByRole('heading', { level: 1, name: 'E-mail settings' }).waitFor();
    await focal.getByRole('checkbox', { name: FOLLOWED[1] }).waitFor();
    assert.ok(await focal.getByRole('checkbox', { name: FOLLOWED[1] }).isChecked(), 'the chosen question is kept');
    assert.ok(!(await focal.getByRole('checkbox', { name: FOLLOWED[0] }).isChecked()), 'the other is not');
    assert.ok(await focal.getByRole('radio', { name: 'Only the questions ticked below' }).isChecked());
    assert.equal(await focal.getByLabel('Digest').inputValue(), 'weekly');
  });

  test('the representative signs in with the link the SMTP server received, requests the floor, and the list shows the registry\'s identity', async () => {
    const mail = await waitForMail(smtp.dir, (m) => m.includes('wanjiru@witn.example'));
    assert.match(mail, /Women in Trade Network has named you one of its representatives to "Regional consultations/);
    // The secretariat chairs the room meanwhile.
    await sec.page.goto(`${base}/#/rooms/${ROOM}`);
    await sec.page.locator('#roundtable-panel #agenda').waitFor();
    wanjiru = await open(linkIn(mail));
    const { page } = wanjiru;
    await page.getByRole('heading', { level: 1, name: ROOM_TITLE }).waitFor();
    await page.locator('#roundtable-panel #agenda').waitFor();
    await waitForConnection(page, 'online');
    assert.match(await page.locator('#user').textContent(), /Wanjiru Kamau/);
    await page.getByRole('button', { name: 'Ask to speak' }).click();
    for (const who of [page, sec.page]) {
      const entry = who.locator('#speaking-list li[data-request]', { hasText: 'Wanjiru Kamau' });
      await entry.waitFor();
      const text = await entry.textContent();
      for (const part of ['Women in Trade Network', 'Women', 'Kenya']) assert.ok(text.includes(part), `the entry shows ${part}: ${text}`);
    }
    await shot(page, '09-representative-speaking-list');
  });

  test('a withdrawn accreditation leaves the public list, and takes its representative out of the room at once', async () => {
    const { page } = sec;
    await page.goto(`${base}/#/registry`);
    const witn = page.locator('li.application[data-status="approved"]', { hasText: 'Women in Trade Network' });
    await witn.locator('details.withdraw > summary').click();
    await witn.getByRole('button', { name: 'Withdraw the accreditation' }).click();
    await witn.getByText('A reason is required.').waitFor();
    await witn.getByLabel('Reason for withdrawing').fill('The organisation asked to withdraw.');
    await witn.getByRole('button', { name: 'Withdraw the accreditation' }).click();
    await page.locator('li.application[data-status="withdrawn"]', { hasText: 'Women in Trade Network' }).waitFor();

    // Its representative, still in the room, is signed out there and then, with the reason.
    const notice = wanjiru.page.locator('#signin-error');
    await notice.waitFor();
    await wanjiru.page.waitForFunction(() => /accreditation was withdrawn/.test(document.getElementById('signin-error')?.textContent || ''));
    const text = await notice.textContent();
    assert.match(text, /The registry ended your access/);
    assert.match(text, /The organisation asked to withdraw\./);
    await shot(wanjiru.page, '09b-representative-access-ended');

    // The room's record says so; her request is off the list.
    await page.goto(`${base}/#/rooms/${ROOM}`);
    await page.locator('#roundtable-panel #agenda').waitFor();
    await page.locator('#speaking-list li[data-request]', { hasText: 'Wanjiru Kamau' }).waitFor({ state: 'detached' });

    await visitor.page.goto(`${base}/#/`);
    await visitor.page.goto(`${base}/#/accredited`);
    await visitor.page.locator(`section[data-forum="${FORUM_ID}"]`, { hasText: 'No organisation is accredited yet.' }).waitFor();
    await wanjiru.context.close();
  });

  test('the rejected organisation cannot get in, and a used link is refused in plain words', async () => {
    const { page } = offshoreFocal;
    // The page it left open since its answer, read again.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Offshore Friends' }).waitFor();
    assert.match(await page.locator('#my-applications').textContent(), new RegExp(`Rejected.*${REJECTION}`));
    await page.goto(`${base}/#/rooms/${ROOM}`);
    const refusal = page.locator('#room-refusal');
    await refusal.waitFor();
    assert.match(await refusal.textContent(), new RegExp(`Your organisation is not accredited to ${FORUM}`));
    await shot(page, '10-rejected-refused');
    await offshoreFocal.context.close();

    const again = await open(offshoreLink);
    await again.page.getByRole('heading', { level: 1, name: 'This sign-in link does not work' }).waitFor();
    assert.match(await again.page.locator('#invite-refused').textContent(), /already been used/);
    await assertAccessible(again.page, 'used link');
    await shot(again.page, '11-used-link');
    await again.context.close();
  });

  test('the secretariat opens the mail desk: figures, outbox and inbox, and sends the digests now', async () => {
    const { page } = sec;
    await page.getByRole('link', { name: 'E-mail' }).click();
    await page.getByRole('heading', { level: 1, name: /^E-mail: who takes part/ }).waitFor();
    await page.locator('#desk-recipients').waitFor();
    assert.match(await page.locator('#desk-recipients').textContent(), /^\d+$/);
    assert.match(await page.locator('#desk-mailed').textContent(), /^0$/, 'no statement came by mail in this test');
    await page.getByRole('heading', { level: 2, name: 'Sent and waiting' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Received' }).waitFor();
    assert.match(await page.locator('main').textContent(), /No mail has come in yet\./);
    await page.getByRole('button', { name: 'Send the digests now' }).click();
    await page.getByText(/^Digests queued: \d+$/).waitFor();
    await assertAccessible(page, 'mail desk');
    await shot(page, '13-mail-desk');
  });
});
