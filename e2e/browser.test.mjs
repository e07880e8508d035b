// End-to-end test of Rempart in Debian's headless Chromium, with axe-core accessibility
// checks. Started by run.sh, which serves `rempart serve --demo` and passes its address in
// REMPART_BASE_URL. One test, its steps in order: a failed step skips the ones after it.
//
// Run: ./run.sh   (or: REMPART_BASE_URL=http://127.0.0.1:8080 node --test browser.test.mjs)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmac } from 'node:crypto';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

const BASE = (process.env.REMPART_BASE_URL ?? '').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(here, 'screenshots');

// The demo network (crates/rempart/src/demo.rs): a fictional organisation, never real data.
const DEMO_EMAIL = 'csio@demo.rempart.quebec';
const DEMO_PASSWORD = 'Rempart-demo-2026';
const DEMO_NAME = 'Samuel Bouchard';
const PARENT = 'Ministère fictif des Ressources';
const NEW_ORG = 'Direction de la sécurité civile';

// axe's source, evaluated through the DevTools protocol: that is not subject to the page's
// Content-Security-Policy (script-src 'self'), so the page is tested with its real policy.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/** RFC 4648 base32, as authenticator apps read the key Rempart shows. */
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const index = alphabet.indexOf(c);
    if (index < 0) throw new Error(`not base32: ${c}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The code an authenticator app shows now (RFC 6238: HMAC-SHA1, 30 s, 6 digits), or
 *  `ahead` steps later (the server tolerates one step of drift and never takes a step twice). */
function totpNow(secret, ahead = 0) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + ahead));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** Every axe finding of the run, for the summary at the end. */
const findings = [];

function describe(violation) {
  const nodes = violation.nodes
    .map((n) => `      - ${n.target.join(' ')}${n.failureSummary ? `\n        ${n.failureSummary.replace(/\n/g, '\n        ')}` : ''}`)
    .join('\n');
  return `  [${violation.impact}] ${violation.id}: ${violation.help}\n    ${violation.helpUrl}\n${nodes}`;
}

/** Runs axe on the page; fails on any serious or critical violation, reports the others. */
async function axeCheck(page, label) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) {
    await page.evaluate(AXE_SOURCE);
  }
  const results = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'] }).then((r) => ({
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
      })),
      url: r.url,
      engine: r.testEngine.version,
    })),
  );
  for (const v of results.violations) {
    findings.push({ label, ...v });
  }
  if (results.violations.length > 0) {
    console.log(`axe ${results.engine} on ${label} (${results.url}):\n${results.violations.map(describe).join('\n')}`);
  } else {
    console.log(`axe ${results.engine} on ${label}: no violation`);
  }
  const failing = results.violations.filter((v) => FAILING_IMPACTS.has(v.impact));
  assert.equal(
    failing.length,
    0,
    `axe found ${failing.length} serious or critical violation(s) on ${label}:\n${failing.map(describe).join('\n')}`,
  );
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Clicks a submit button and waits until the page it leads to has loaded. */
async function submit(page, button) {
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
  const response = page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest());
  await button.click();
  const [res] = await Promise.all([response, navigated]);
  await page.waitForLoadState('load');
  return res;
}

async function htmlLang(page) {
  return page.locator('html').getAttribute('lang');
}

async function h1(page) {
  return (await page.getByRole('heading', { level: 1 }).textContent()).trim();
}

test('Rempart in a browser: login, language, organisations, accessibility', { timeout: 300_000 }, async (t) => {
  assert.ok(BASE, 'REMPART_BASE_URL is not set (run the test through run.sh)');
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.after(() => browser.close());

  // A Québec user's browser: French first (the login page follows Accept-Language).
  const context = await browser.newContext({
    locale: 'fr-CA',
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);

  const pageErrors = [];
  const cspViolations = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy/i.test(m.text())) cspViolations.push(`${m.location().url}:${m.location().lineNumber}: ${m.text().replace(/ Either the .*/s, '')}`);
  });

  let broken = false;
  // The second factor the CISO enrols in step 2, to sign in again later.
  let csioSecret = '';
  const step = (name, fn) =>
    t.test(name, async (s) => {
      if (broken) {
        s.skip('an earlier step failed');
        return;
      }
      try {
        await fn(s);
      } catch (e) {
        broken = true;
        await shot(page, `failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(() => {});
        throw e;
      }
    });

  await step('1. the login page is in French and accessible', async () => {
    const res = await page.goto(`${BASE}/login`);
    assert.equal(res.status(), 200);
    assert.equal(await htmlLang(page), 'fr-CA');
    assert.equal(await h1(page), 'Connexion');
    assert.match(await page.title(), /^Connexion — Rempart$/);
    await shot(page, '01-login');
    await axeCheck(page, '/login');
  });

  await step('2. the demo CISO signs in, must enrol a second factor, and is greeted', async () => {
    await page.getByLabel('Adresse courriel', { exact: true }).fill(DEMO_EMAIL);
    await page.getByLabel('Mot de passe', { exact: true }).fill(DEMO_PASSWORD);
    await submit(page, page.getByRole('button', { name: 'Se connecter', exact: true }));
    // A privileged role: two-factor enrolment is forced before anything else.
    assert.equal(new URL(page.url()).pathname, '/mfa/enrol');
    assert.match(await page.locator('main').textContent(), /Votre rôle exige un deuxième facteur/);
    assert.equal(await page.locator('figure.qr svg').count(), 1);
    await shot(page, '02a-mfa-enrol');
    await axeCheck(page, '/mfa/enrol');
    // Anything else is out of reach until the step is done.
    await page.goto(`${BASE}/orgs`);
    assert.equal(new URL(page.url()).pathname, '/mfa/enrol');
    const secret = (await page.locator('#totp-secret').textContent()).replace(/\s/g, '');
    csioSecret = secret;
    await page.getByLabel('Code', { exact: true }).fill(totpNow(secret));
    await submit(page, page.getByRole('button', { name: 'Activer', exact: true }));
    assert.equal(await h1(page), 'Vos codes de récupération');
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    await shot(page, '02b-recovery-codes');
    await axeCheck(page, 'recovery codes');
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/'),
      page.getByRole('link', { name: 'Continuer', exact: true }).click(),
    ]);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await htmlLang(page), 'fr-CA');
    assert.equal(await h1(page), `Bonjour, ${DEMO_NAME}.`);
    assert.equal((await page.locator('.banner .who').textContent()).trim(), DEMO_NAME);
    await shot(page, '02-home');
    await axeCheck(page, '/ (home)');
  });

  await step('3. the profile switches the interface to English and back', async () => {
    await page.goto(`${BASE}/profile`);
    assert.equal(await h1(page), 'Profil');
    await page.getByRole('radio', { name: 'English', exact: true }).check();
    await submit(page, page.getByRole('button', { name: 'Enregistrer', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/profile');
    // The saved preference wins over the browser's Accept-Language (fr-CA).
    assert.equal(await htmlLang(page), 'en-CA');
    assert.equal(await h1(page), 'Profile');
    assert.ok(await page.getByRole('radio', { name: 'English', exact: true }).isChecked());
    await shot(page, '03-profile-en');
    await axeCheck(page, '/profile (English)');

    await page.getByRole('radio', { name: 'Français', exact: true }).check();
    await submit(page, page.getByRole('button', { name: 'Save', exact: true }));
    assert.equal(await htmlLang(page), 'fr-CA');
    assert.equal(await h1(page), 'Profil');
    assert.ok(await page.getByRole('radio', { name: 'Français', exact: true }).isChecked());
    await shot(page, '03-profile-fr');
  });

  // The "Nouvelle organisation" form: the one whose submit button is "Créer".
  const newOrgForm = () =>
    page.locator('form[action="/orgs"][method="post"]', {
      has: page.getByRole('button', { name: 'Créer', exact: true }),
    });

  await step('4. an organisation without a name is refused with an accessible error', async () => {
    await page.goto(`${BASE}/orgs`);
    assert.equal(await h1(page), 'Organisations');
    await page.getByRole('heading', { level: 2, name: 'Nouvelle organisation' }).waitFor();
    const form = newOrgForm();
    await form.getByLabel('Nom', { exact: true }).fill('');
    await form.getByLabel('Type', { exact: true }).selectOption({ label: 'Unité administrative' });
    await form.getByLabel('Organisation mère', { exact: true }).selectOption({ label: PARENT });
    const res = await submit(page, form.getByRole('button', { name: 'Créer', exact: true }));
    assert.equal(res.status(), 422);
    assert.equal(new URL(page.url()).pathname, '/orgs');

    const name = newOrgForm().getByLabel('Nom', { exact: true });
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    const describedBy = (await name.getAttribute('aria-describedby')) ?? '';
    assert.ok(describedBy.split(/\s+/).includes('name-error'), `aria-describedby="${describedBy}"`);
    assert.equal((await page.locator('#name-error').textContent()).trim(), 'Ce champ est obligatoire.');
    // The summary at the top of the form links to the field.
    const summary = page.locator('.error-summary[role="alert"]');
    assert.match(await summary.textContent(), /Le formulaire contient une erreur\./);
    assert.equal(await summary.getByRole('link', { name: 'Ce champ est obligatoire.' }).getAttribute('href'), '#name');
    // The other answers are kept.
    const form2 = newOrgForm();
    assert.equal(
      await form2.getByLabel('Type', { exact: true }).evaluate((s) => s.selectedOptions[0].textContent),
      'Unité administrative',
    );
    assert.equal(
      await form2.getByLabel('Organisation mère', { exact: true }).evaluate((s) => s.selectedOptions[0].textContent),
      PARENT,
    );
    await page.locator('#new-org').scrollIntoViewIfNeeded();
    await shot(page, '04-orgs-error');
    await axeCheck(page, '/orgs (name missing)');
  });

  await step('5. the named organisation is created and shown', async () => {
    const form = newOrgForm();
    await form.getByLabel('Nom', { exact: true }).fill(NEW_ORG);
    await submit(page, form.getByRole('button', { name: 'Créer', exact: true }));
    assert.match(new URL(page.url()).pathname, /^\/orgs\/\d+$/);
    assert.equal(await h1(page), NEW_ORG);
    const facts = page.locator('dl.facts');
    assert.match(await facts.textContent(), /Unité administrative/);
    assert.equal((await facts.getByRole('link', { name: PARENT, exact: true }).count()), 1);
    await shot(page, '05-org-created');
    await axeCheck(page, `/orgs/{id} (${NEW_ORG})`);
  });

  await step('5a. the inventory and the authority register read and work without script', async () => {
    await page.goto(`${BASE}/assets`);
    assert.equal(await h1(page), 'Actifs informationnels');
    await page.getByLabel('À traiter', { exact: true }).selectOption({ label: 'Fin de soutien dépassée' });
    // A GET form: the filters land in the address, so the list can be bookmarked.
    await Promise.all([
      page.waitForURL(/\/assets\?.*flag=past_end_of_support/),
      page.getByRole('button', { name: 'Filtrer', exact: true }).click(),
    ]);
    assert.match(await page.locator('table').textContent(), /Serveurs Windows 2012 R2 hérités/);
    await axeCheck(page, '/assets (filtered)');
    await page.getByRole('link', { name: 'Serveurs Windows 2012 R2 hérités', exact: true }).click();
    await page.waitForLoadState();
    assert.match(await page.locator('.attention').textContent(), /Le soutien du fournisseur a pris fin/);
    await shot(page, '05a-asset');
    await axeCheck(page, '/assets/{id}');
    // A new asset without a name: the error names the field, next to it.
    await page.goto(`${BASE}/assets/new`);
    const missing = await submit(page, page.getByRole('button', { name: 'Enregistrer', exact: true }));
    assert.equal(missing.status(), 422);
    assert.match(await page.locator('#name-error').textContent(), /obligatoire/);
    await axeCheck(page, '/assets/new (refused)');
    await page.goto(`${BASE}/assets/import`);
    await axeCheck(page, '/assets/import');
    await page.goto(`${BASE}/assets/overview`);
    await axeCheck(page, '/assets/overview');
    await page.goto(`${BASE}/register`);
    assert.match(await page.locator('main').textContent(), /Rôles obligatoires vacants/);
    await shot(page, '05a-register');
    await axeCheck(page, '/register');
  });

  await step('5b. a new account must change its temporary password at first login', async () => {
    await page.goto(`${BASE}/people`);
    const form = page.locator('form[action="/people"]');
    await form.getByLabel('Nom', { exact: true }).fill('Nouvelle Recrue');
    await form.getByLabel('Adresse courriel', { exact: true }).fill('recrue@mfr.gouv.qc.ca');
    await form.getByLabel('Organisation', { exact: true }).selectOption({ label: PARENT });
    const res = await submit(page, form.getByRole('button', { name: 'Créer', exact: true }));
    assert.equal(res.status(), 201);
    const flash = await page.locator('.flash').textContent();
    const temporary = flash.trim().split(' ').pop();
    assert.equal(temporary.length, 20);
    await submit(page, page.locator('.banner').getByRole('button', { name: 'Se déconnecter' }));
    assert.equal(new URL(page.url()).pathname, '/login');

    await page.getByLabel('Adresse courriel', { exact: true }).fill('recrue@mfr.gouv.qc.ca');
    await page.getByLabel('Mot de passe', { exact: true }).fill(temporary);
    await submit(page, page.getByRole('button', { name: 'Se connecter', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/password');
    assert.match(await page.locator('main').textContent(), /Votre mot de passe est temporaire/);
    await shot(page, '05b-password-forced');
    await axeCheck(page, '/password (forced)');
    // A weak password is refused with the reason, next to the field.
    await page.getByLabel('Mot de passe actuel', { exact: true }).fill(temporary);
    await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('motdepasse123');
    await page.getByLabel('Confirmation du nouveau mot de passe', { exact: true }).fill('motdepasse123');
    const weak = await submit(page, page.getByRole('button', { name: 'Enregistrer', exact: true }));
    assert.equal(weak.status(), 422);
    assert.match(await page.locator('#new_password-error').textContent(), /trop courant|facile à deviner/);
    await axeCheck(page, '/password (refused)');
    await page.getByLabel('Mot de passe actuel', { exact: true }).fill(temporary);
    await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('les érables rougissent en octobre');
    await page.getByLabel('Confirmation du nouveau mot de passe', { exact: true }).fill('les érables rougissent en octobre');
    await submit(page, page.getByRole('button', { name: 'Enregistrer', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await h1(page), 'Bonjour, Nouvelle Recrue.');
  });

  await step('5c. the risk register reads and works without script', async () => {
    const before = findings.length;
    // The recruit signs out; the CISO signs in again, with a code of the second factor.
    await submit(page, page.locator('.banner').getByRole('button', { name: 'Se déconnecter' }));
    await page.getByLabel('Adresse courriel', { exact: true }).fill(DEMO_EMAIL);
    await page.getByLabel('Mot de passe', { exact: true }).fill(DEMO_PASSWORD);
    await submit(page, page.getByRole('button', { name: 'Se connecter', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/mfa');
    // The step after the one used at enrolment: a code is never accepted twice.
    await page.getByLabel('Code', { exact: true }).fill(totpNow(csioSecret, 1));
    await submit(page, page.getByRole('button', { name: 'Vérifier', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/');

    await Promise.all([
      page.waitForURL((url) => url.pathname === '/risks'),
      page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Risques', exact: true }).click(),
    ]);
    assert.equal(await h1(page), 'Registre des risques');
    await page.getByLabel('À traiter', { exact: true }).selectOption({ label: 'Actions en retard' });
    await Promise.all([
      page.waitForURL(/\/risks\?.*flag=overdue_actions/),
      page.getByRole('button', { name: 'Filtrer', exact: true }).click(),
    ]);
    const list = await page.locator('table').textContent();
    assert.match(list, /Rançongiciel sur les serveurs Windows hérités/);
    assert.doesNotMatch(list, /Vol d'identifiants de la messagerie/);
    assert.match(list, /Une action en retard/);
    await shot(page, '05c-risks');
    await axeCheck(page, '/risks (filtered)');

    await Promise.all([
      page.waitForURL(/\/risks\/\d+$/),
      page.getByRole('link', { name: 'Rançongiciel sur les serveurs Windows hérités', exact: true }).click(),
    ]);
    assert.equal(await h1(page), 'Rançongiciel sur les serveurs Windows hérités');
    assert.match(await page.locator('main').textContent(), /\(en retard\)/);
    assert.match(await page.locator('main').textContent(), /Soumis pour approbation/);
    await shot(page, '05c-risk');
    await axeCheck(page, '/risks/{id}');

    // A new risk sent empty: every fault named, in the summary and next to its field.
    await page.goto(`${BASE}/risks/new`);
    assert.equal(await h1(page), 'Nouveau risque');
    const refused = await submit(page, page.getByRole('button', { name: 'Enregistrer', exact: true }));
    assert.equal(refused.status(), 422);
    assert.match(await page.locator('#title-error').textContent(), /obligatoire/);
    assert.equal(await page.getByLabel('Titre', { exact: true }).getAttribute('aria-invalid'), 'true');
    const summary = page.locator('.error-summary[role="alert"]');
    assert.equal(await summary.getByRole('link').first().getAttribute('href'), '#title');
    await shot(page, '05c-risk-new-refused');
    await axeCheck(page, '/risks/new (refused)');

    await page.goto(`${BASE}/risks/map`);
    assert.equal(await h1(page), 'Carte des risques');
    assert.equal(await page.locator('table.heat th[scope="row"]').count(), 10);
    // The band colours come from the method's stylesheet, allowed by the page's policy.
    const background = await page
      .locator('#map-gross td.band-0')
      .first()
      .evaluate((td) => getComputedStyle(td).backgroundColor);
    assert.equal(background, 'rgb(46, 125, 50)');
    await shot(page, '05c-risks-map');
    await axeCheck(page, '/risks/map');
    const found = findings.slice(before).map((f) => `${f.label}: [${f.impact}] ${f.id}`);
    assert.deepEqual(found, [], 'no axe finding of any impact on the risk pages');
  });

  await step('5d. the risk method, the indicators and the control catalogues read without script', async () => {
    const before = findings.length;
    await page.goto(`${BASE}/risks`);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/risks/method'),
      page.getByRole('link', { name: "Méthode d'évaluation des risques", exact: true }).click(),
    ]);
    assert.equal(await h1(page), "Méthode d'évaluation des risques");
    assert.match(await page.locator('#method-origin').textContent(), /Méthode par défaut de Rempart/);
    // The band colours come from the method's stylesheet; each band is named beside its colour.
    const swatch = await page
      .locator('#method-bands td.band-0')
      .evaluate((td) => getComputedStyle(td).backgroundColor);
    assert.equal(swatch, 'rgb(46, 125, 50)');
    await shot(page, '05d-risk-method');
    await axeCheck(page, '/risks/method');
    // A threshold of 0, sent without script: refused, named in the summary and next to the field.
    await page.getByLabel("Seuil d'acceptation", { exact: true }).fill('0');
    const refused = await submit(page, page.getByRole('button', { name: 'Enregistrer', exact: true }));
    assert.equal(refused.status(), 422);
    assert.match(await page.locator('#threshold-error').textContent(), /seuil d'acceptation va de 1/);
    assert.equal(await page.getByLabel("Seuil d'acceptation", { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('.error-summary[role="alert"]').getByRole('link').first().getAttribute('href'), '#threshold');
    await shot(page, '05d-risk-method-refused');
    await axeCheck(page, '/risks/method (refused)');

    await page.goto(`${BASE}/risks`);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/risks/indicators'),
      page.getByRole('link', { name: 'Indicateurs de gestion des risques', exact: true }).click(),
    ]);
    assert.equal(await h1(page), 'Indicateurs de gestion des risques');
    assert.match(await page.locator('#indicators-total').textContent(), /Total/);
    assert.match(await page.locator('#projects').textContent(), /non évalué avant la mise en service/);
    await shot(page, '05d-risk-indicators');
    await axeCheck(page, '/risks/indicators');

    await Promise.all([
      page.waitForURL((url) => url.pathname === '/controls'),
      page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mesures de sécurité', exact: true }).click(),
    ]);
    assert.equal(await h1(page), 'Mesures de sécurité');
    assert.equal(await page.locator('form[action="/controls/import"]').getAttribute('enctype'), 'multipart/form-data');
    await shot(page, '05d-controls');
    await axeCheck(page, '/controls');
    // The demo imports no catalogue: when the sample catalogue shipped beside the repository is
    // there, it is uploaded through the form and a status recorded, each page under axe.
    const sample = path.join(here, '..', '..', 'shared', 'data', 'oscal', 'basic-catalog.json');
    if (existsSync(sample)) {
      await page.getByLabel("Organisation qui l'importe (pour elle et celles sous elle)", { exact: true }).selectOption({ label: PARENT });
      await page.getByLabel('Fichier JSON OSCAL', { exact: true }).setInputFiles(sample);
      const imported = await submit(page, page.getByRole('button', { name: 'Importer', exact: true }));
      assert.equal(imported.status(), 201);
      assert.match(await page.locator('.flash').textContent(), /4 mesures de sécurité/);
      await axeCheck(page, '/controls (imported)');
      await Promise.all([
        page.waitForURL(/\/controls\/\d+$/),
        page.getByRole('link', { name: 'Ouvrir', exact: true }).click(),
      ]);
      assert.match(await h1(page), /Sample Security Catalog/);
      await page.getByLabel('État de mise en œuvre', { exact: true }).first().selectOption({ label: 'Mise en œuvre' });
      await submit(page, page.getByRole('button', { name: /^Enregistrer/ }).first());
      assert.match(new URL(page.url()).search, /done=status/);
      assert.match(await page.locator('.flash').textContent(), /État de mise en œuvre enregistré/);
      await shot(page, '05d-control-catalog');
      await axeCheck(page, '/controls/{id}');
    } else {
      console.log(`5d: ${sample} absent, the catalogue page is not visited`);
    }
    const found = findings.slice(before).map((f) => `${f.label}: [${f.impact}] ${f.id}`);
    assert.deepEqual(found, [], 'no axe finding of any impact on these pages');
  });

  await step('5e. a user reports an event, the coordinator triages it into an incident, a centre issues an alert', async () => {
    const before = findings.length;
    const signOut = () => submit(page, page.locator('.banner').getByRole('button', { name: 'Se déconnecter' }));
    const signIn = async (email) => {
      await page.getByLabel('Adresse courriel', { exact: true }).fill(email);
      await page.getByLabel('Mot de passe', { exact: true }).fill(DEMO_PASSWORD);
      await submit(page, page.getByRole('button', { name: 'Se connecter', exact: true }));
      assert.equal(new URL(page.url()).pathname, '/');
    };
    const summary = 'Courriel suspect demandant mon mot de passe';
    await signOut();
    await signIn('utilisateur@demo.rempart.quebec');
    // One click from any page: the link in the header.
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/report'),
      page.locator('.banner').getByRole('link', { name: 'Signaler un événement', exact: true }).click(),
    ]);
    assert.equal(await h1(page), 'Signaler un événement de sécurité');
    await shot(page, '05e-report');
    await axeCheck(page, '/report');
    await page.getByLabel('Résumé', { exact: true }).fill(summary);
    await page.getByLabel('Détails', { exact: true }).fill('Le lien menait vers une fausse page de connexion.');
    await page.getByRole('radio', { name: 'Non', exact: true }).check();
    await submit(page, page.getByRole('button', { name: 'Envoyer le signalement', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/events/mine');
    assert.match(await page.locator('.flash').textContent(), /transmis au coordonnateur/);
    assert.match(await page.locator('table').textContent(), /Courriel suspect demandant mon mot de passe/);
    await axeCheck(page, '/events/mine');

    await signOut();
    await signIn('comsi@demo.rempart.quebec');
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/events'),
      page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'File des événements', exact: true }).click(),
    ]);
    assert.equal(await h1(page), 'File des événements signalés');
    await shot(page, '05e-events');
    await axeCheck(page, '/events');
    await Promise.all([
      page.waitForURL(/\/events\/\d+$/),
      page.getByRole('link', { name: summary, exact: true }).click(),
    ]);
    assert.equal(await h1(page), summary);
    await axeCheck(page, '/events/{id}');
    await page.getByRole('radio', { name: 'Incident', exact: true }).check();
    await page.getByLabel('Catégorie', { exact: true }).selectOption({ label: 'Hameçonnage' });
    const triaged = await submit(page, page.getByRole('button', { name: 'Enregistrer le triage', exact: true }));
    assert.equal(triaged.status(), 303);
    assert.match(new URL(page.url()).pathname, /^\/incidents\/\d+$/);
    assert.match(await h1(page), /^INC-\d{4}-\d{6} — Courriel suspect demandant mon mot de passe$/);
    const timeline = await page.locator('#timeline table').textContent();
    assert.match(timeline, /Observation/);
    assert.match(timeline, /Le lien menait vers une fausse page de connexion\./);
    assert.match(timeline, /Avis envoyé à/);
    assert.doesNotMatch(timeline, /\{"event"/);
    await shot(page, '05e-incident');
    await axeCheck(page, '/incidents/{id}');

    await signOut();
    await signIn('rocd@demo.rempart.quebec');
    await page.goto(`${BASE}/alerts/new`);
    assert.equal(await h1(page), 'Émettre une alerte');
    await axeCheck(page, '/alerts/new');
    await page.getByLabel('Titre', { exact: true }).fill('Campagne d’hameçonnage en cours');
    await page.getByLabel('Description', { exact: true }).fill('Bloquez le domaine signalé.');
    await submit(page, page.getByRole('button', { name: 'Émettre', exact: true }));
    assert.match(new URL(page.url()).pathname, /^\/alerts\/\d+$/);
    assert.match(await page.locator('#board-total').textContent(), /0 sur 2 organismes ont donné suite/);
    await shot(page, '05e-alert');
    await axeCheck(page, '/alerts/{id}');
    for (const [path, title] of [
      ['/alerts', 'Alertes et mesures'],
      ['/incidents', 'Incidents'],
      ['/notices', 'Accusés de réception'],
      ['/inbox', 'Notifications'],
    ]) {
      await page.goto(`${BASE}${path}`);
      assert.equal(await h1(page), title);
      await axeCheck(page, path);
    }
    const found = findings.slice(before).map((f) => `${f.label}: [${f.impact}] ${f.id}`);
    assert.deepEqual(found, [], 'no axe finding of any impact on the GMVI pages');
  });

  await step('5f. the coordinator imports a scan report with its progress shown, then reads the vulnerabilities', async () => {
    const before = findings.length;
    const report = path.resolve(here, '../../shared/data/scans/nessus/nessus_nessus_v_unknown.xml');
    await submit(page, page.locator('.banner').getByRole('button', { name: 'Se déconnecter' }));
    await page.getByLabel('Adresse courriel', { exact: true }).fill('comsi@demo.rempart.quebec');
    await page.getByLabel('Mot de passe', { exact: true }).fill(DEMO_PASSWORD);
    await submit(page, page.getByRole('button', { name: 'Se connecter', exact: true }));
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/vulnerabilities'),
      page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Vulnérabilités', exact: true }).click(),
    ]);
    assert.equal(await h1(page), 'Vulnérabilités');
    await axeCheck(page, '/vulnerabilities (empty)');
    await page.goto(`${BASE}/vulnerabilities/import`);
    assert.equal(await h1(page), 'Importer un rapport d’analyse');
    await axeCheck(page, '/vulnerabilities/import');
    await page.getByLabel('Fichier', { exact: true }).setInputFiles(report);
    // With script, the form goes through XMLHttpRequest to show the upload's progress, then
    // follows the server's redirect to the import's page.
    await Promise.all([
      page.waitForURL(/\/vulnerabilities\/imports\/\d+$/),
      page.getByRole('button', { name: 'Importer', exact: true }).click(),
    ]);
    assert.equal(await page.locator('#upload-progress').count(), 0, 'the result is a page of its own');
    assert.equal(await h1(page), 'Résultat de l’importation');
    assert.match(await page.locator('dl').textContent(), /296 \(dont 266 informatifs, non conservés\)/);
    await shot(page, '05f-import');
    await axeCheck(page, '/vulnerabilities/imports/{id}');
    // A machine no asset named, attached to an asset without script: the page comes back
    // with one unmatched host fewer and says so.
    const attachForms = page.locator('form[action$="/attach"]');
    const unmatchedBefore = await attachForms.count();
    assert.ok(unmatchedBefore > 0, 'the shared report names machines no demo asset does');
    await attachForms.first().locator('select').selectOption({ index: 1 });
    await Promise.all([
      page.waitForURL(/\/vulnerabilities\/imports\/\d+\?done=attach$/),
      attachForms.first().getByRole('button', { name: 'Rattacher', exact: true }).click(),
    ]);
    assert.match(await page.locator('p.flash').textContent(), /Machine rattachée/);
    assert.equal(await page.locator('form[action$="/attach"]').count(), unmatchedBefore - 1);
    await axeCheck(page, '/vulnerabilities/imports/{id} (machine attached)');
    await page.goto(`${BASE}/vulnerabilities?severity=medium`);
    await axeCheck(page, '/vulnerabilities (filtered)');
    await Promise.all([
      page.waitForURL(/\/vulnerabilities\/\d+$/),
      page.getByRole('link', { name: 'SMB Signing Disabled', exact: true }).first().click(),
    ]);
    assert.equal(await h1(page), 'SMB Signing Disabled');
    await shot(page, '05f-vulnerability');
    await axeCheck(page, '/vulnerabilities/{id}');
    await page.goto(`${BASE}/vulnerabilities/policy`);
    assert.equal(await h1(page), 'Délais de correction');
    await axeCheck(page, '/vulnerabilities/policy');
    await page.goBack();
    // The status form, without script: in remediation.
    await page.getByLabel('Statut', { exact: true }).selectOption('in_remediation');
    await Promise.all([
      page.waitForURL(/\/vulnerabilities\/\d+\?done=status$/),
      page.getByRole('button', { name: 'Changer l’état', exact: true }).click(),
    ]);
    assert.match(await page.locator('.flash').textContent(), /L’état a été changé/);
    await axeCheck(page, '/vulnerabilities/{id} (status changed)');
    const found = findings.slice(before).map((f) => `${f.label}: [${f.impact}] ${f.id}`);
    assert.deepEqual(found, [], 'no axe finding of any impact on the vulnerability pages');
  });

  await step('5g. the coordinator imports a vendor advisory (CSAF) and sees the asset it concerns', async () => {
    const before = findings.length;
    const advisory = path.resolve(here, '../../shared/data/csaf/cisco-sa-20180328-smi2.json');
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/advisories'),
      page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Avis de sécurité', exact: true }).click(),
    ]);
    assert.equal(await h1(page), 'Avis de sécurité');
    await axeCheck(page, '/advisories (empty)');
    await page.goto(`${BASE}/advisories/new`);
    assert.equal(await h1(page), 'Enregistrer un avis de sécurité');
    await axeCheck(page, '/advisories/new');
    await page.locator('#csaf-org').selectOption({ label: 'Ministère fictif des Ressources' });
    await page.getByLabel('Document CSAF (JSON)', { exact: true }).setInputFiles(advisory);
    await Promise.all([
      page.waitForURL(/\/advisories\/\d+$/),
      page.getByRole('button', { name: 'Importer', exact: true }).click(),
    ]);
    assert.match(await h1(page), /cisco-sa-20180328-smi2/);
    assert.match(await page.locator('table').textContent(), /Réseau local du siège social/);
    await shot(page, '05g-advisory');
    await axeCheck(page, '/advisories/{id}');
    const found = findings.slice(before).map((f) => `${f.label}: [${f.impact}] ${f.id}`);
    assert.deepEqual(found, [], 'no axe finding of any impact on the advisory pages');
  });

  await step('5h. a researcher reports a vulnerability by the public form and follows it', async () => {
    const before = findings.length;
    await page.goto(`${BASE}/disclose`);
    assert.equal(await h1(page), 'Signaler une vulnérabilité');
    await axeCheck(page, '/disclose');
    await page.getByLabel('Service touché', { exact: true }).fill('https://intranet.mfr.demo.gouv.qc.ca/recherche');
    await page.getByLabel('Titre', { exact: true }).fill('Injection SQL dans la recherche');
    await page.getByLabel('Description', { exact: true }).fill('Le paramètre q de /recherche est injectable.');
    await submit(page, page.getByRole('button', { name: 'Envoyer le signalement', exact: true }));
    assert.equal(await h1(page), 'Signalement reçu');
    const token = (await page.locator('#token').textContent()).trim();
    assert.equal(token.length, 43);
    await axeCheck(page, '/disclose (received)');
    await page.goto(`${BASE}/disclose/follow`);
    await page.getByLabel('Jeton de suivi', { exact: true }).fill(token);
    await submit(page, page.getByRole('button', { name: 'Consulter', exact: true }));
    assert.match(await page.locator('dl').textContent(), /reçu/);
    await axeCheck(page, '/disclose/follow (opened)');
    const found = findings.slice(before).map((f) => `${f.label}: [${f.impact}] ${f.id}`);
    assert.deepEqual(found, [], 'no axe finding of any impact on the disclosure pages');
  });

  await step('5i. the legal deadline calculator answers with its rule and article, without script', async () => {
    const before = findings.length;
    await page.goto(`${BASE}/deadlines`);
    assert.equal(await h1(page), 'Délais légaux');
    await axeCheck(page, '/deadlines');
    await page.getByLabel('Date de départ', { exact: true }).fill('2026-06-04');
    // A GET form: the answer is a page of its own, which can be bookmarked.
    await Promise.all([
      page.waitForURL(/\/deadlines\?.*date=2026-06-04/),
      page.getByRole('button', { name: 'Calculer', exact: true }).click(),
    ]);
    const result = await page.locator('dl').textContent();
    assert.match(result, /jeudi 2026-06-25/);
    assert.match(result, /A-2\.1, art\. 47/);
    assert.match(result, /fête nationale du Québec/);
    await axeCheck(page, '/deadlines (computed)');
    await page.getByLabel('Avis de prolongation envoyé le', { exact: true }).fill('2026-06-26');
    await Promise.all([
      page.waitForURL(/\/deadlines\?.*notice=2026-06-26/),
      page.getByRole('button', { name: 'Calculer', exact: true }).click(),
    ]);
    assert.match(await page.locator('.error-summary').textContent(), /après l’échéance du 2026-06-25/);
    await axeCheck(page, '/deadlines (late notice refused)');
    const found = findings.slice(before).map((f) => `${f.label}: [${f.impact}] ${f.id}`);
    assert.deepEqual(found, [], 'no axe finding of any impact on the deadline calculator');
  });

  await step('5i2. anyone files a privacy complaint by the public form, without script, and follows it', async () => {
    const before = findings.length;
    await page.goto(`${BASE}/complaint`);
    assert.equal(await h1(page), 'Porter plainte sur la protection de vos renseignements personnels');
    await axeCheck(page, '/complaint');
    await page.getByLabel('Organisme visé', { exact: true }).selectOption({ label: 'Agence fictive de la santé' });
    await page.getByLabel('Votre nom', { exact: true }).fill('Camille Roy');
    await page.getByLabel('Vos coordonnées', { exact: true }).fill('camille@example.org');
    await page.getByLabel('Motif de la plainte', { exact: true }).fill('Communication sans consentement');
    // Facts too short: refused, the field named, nothing typed lost.
    await page.getByLabel('Les faits', { exact: true }).fill('Trop court');
    await submit(page, page.getByRole('button', { name: 'Envoyer la plainte', exact: true }));
    assert.match(await page.locator('.error-summary').textContent(), /Les faits|caractères/);
    assert.equal(await page.getByLabel('Vos coordonnées', { exact: true }).inputValue(), 'camille@example.org');
    await axeCheck(page, '/complaint (refused)');
    await page.getByLabel('Les faits', { exact: true }).fill('Mon dossier a été transmis à mon employeur sans mon consentement.');
    await submit(page, page.getByRole('button', { name: 'Envoyer la plainte', exact: true }));
    assert.equal(await h1(page), 'Plainte reçue');
    const token = (await page.locator('#token').textContent()).trim();
    assert.equal(token.length, 43);
    await axeCheck(page, '/complaint (received)');
    await page.goto(`${BASE}/complaint/follow`);
    await page.getByLabel('Jeton de suivi', { exact: true }).fill(token);
    await submit(page, page.getByRole('button', { name: 'Consulter', exact: true }));
    assert.match(await page.locator('dl').textContent(), /reçue/);
    await axeCheck(page, '/complaint/follow (opened)');
    const found = findings.slice(before).map((f) => `${f.label}: [${f.impact}] ${f.id}`);
    assert.deepEqual(found, [], 'no axe finding of any impact on the complaint pages');
  });

  await step('5j. the privacy officer records an access request, follows its legal clock and reads the incident register, without script', async () => {
    const before = findings.length;
    // The public pages show no account: back to a signed-in page to sign out.
    await page.goto(`${BASE}/`);
    await submit(page, page.locator('.banner').getByRole('button', { name: 'Se déconnecter' }));
    await page.getByLabel('Adresse courriel', { exact: true }).fill('rprp@demo.rempart.quebec');
    await page.getByLabel('Mot de passe', { exact: true }).fill(DEMO_PASSWORD);
    await submit(page, page.getByRole('button', { name: 'Se connecter', exact: true }));
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/access-requests'),
      page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Demandes d’accès', exact: true }).click(),
    ]);
    assert.equal(await h1(page), 'Demandes d’accès');
    // The demo's four requests, one of them past its deadline without an answer.
    assert.match(await page.locator('table').textContent(), /refus présumé/);
    await shot(page, '05j-access-requests');
    await axeCheck(page, '/access-requests');
    await page.goto(`${BASE}/access-requests/new`);
    assert.equal(await h1(page), 'Enregistrer une demande');
    await axeCheck(page, '/access-requests/new');
    await page.getByLabel('Date de réception', { exact: true }).fill('2026-06-04');
    await page.getByLabel('Coordonnées (adresse postale ou courriel)', { exact: true }).fill('demandeur@example.org');
    await page.getByLabel('Objet de la demande', { exact: true }).fill('Les politiques de protection des renseignements personnels');
    // The requester's name is missing: refused, the field named, nothing lost.
    await page.locator('#requester_name').evaluate((el) => el.removeAttribute('required'));
    await submit(page, page.getByRole('button', { name: 'Enregistrer la demande', exact: true }));
    assert.match(await page.locator('.error-summary').textContent(), /Ce champ est obligatoire/);
    assert.equal(await page.getByLabel('Coordonnées (adresse postale ou courriel)', { exact: true }).inputValue(), 'demandeur@example.org');
    await axeCheck(page, '/access-requests/new (refused)');
    await page.getByLabel('Demandeur', { exact: true }).fill('Alex Tremblay');
    await submit(page, page.getByRole('button', { name: 'Enregistrer la demande', exact: true }));
    assert.match(new URL(page.url()).pathname, /^\/access-requests\/\d+$/);
    const deadline = await page.locator('#h-deadline + dl').textContent();
    assert.match(deadline, /jeudi 2026-06-25/);
    assert.match(deadline, /A-2\.1, art\. 47/);
    assert.match(deadline, /refus présumé/);
    await shot(page, '05j-access-request');
    await axeCheck(page, '/access-requests/{id}');
    await page.locator('#acknowledge-on').fill('2026-06-05');
    await submit(page, page.getByRole('button', { name: 'Inscrire l’accusé de réception', exact: true }));
    assert.match(await page.locator('#h-history + table').textContent(), /Accusé de réception/);
    await page.locator('#extend-notice_on').fill('2026-06-26');
    await submit(page, page.getByRole('button', { name: 'Inscrire l’avis de prolongation', exact: true }));
    assert.match(await page.locator('.error-summary').textContent(), /avant l’expiration du délai de 20 jours/);
    await axeCheck(page, '/access-requests/{id} (late extension refused)');
    for (const [path, title] of [
      ['/access-requests/indicators', 'Indicateurs des demandes d’accès'],
      ['/access-requests/provisions', 'Dispositions invocables'],
      ['/access-requests/letters', 'Lettres'],
      ['/confidentiality-incidents', 'Registre des incidents de confidentialité'],
      ['/confidentiality-incidents/new', 'Inscrire un incident de confidentialité'],
      ['/complaints', 'Plaintes'],
    ]) {
      await page.goto(`${BASE}${path}`);
      assert.equal(await h1(page), title);
      await axeCheck(page, path);
    }
    const found = findings.slice(before).map((f) => `${f.label}: [${f.impact}] ${f.id}`);
    assert.deepEqual(found, [], 'no axe finding of any impact on the access-request pages');
  });

  await step('5k. the privacy officer starts an impact assessment from a flagged asset, the committee gives its opinion; files and communications read without script', async () => {
    const before = findings.length;
    await page.goto(`${BASE}/privacy-assessments`);
    assert.equal(await h1(page), 'Évaluations des facteurs relatifs à la vie privée (EFVP)');
    // The demo's recruitment platform, in an outside cloud, has no assessment: flagged.
    assert.match(await page.locator('#h-needed + p + table').textContent(), /Plateforme de recrutement/);
    await shot(page, '05k-privacy-assessments');
    await axeCheck(page, '/privacy-assessments');
    await page.getByRole('link', { name: 'Commencer une EFVP — Plateforme de recrutement' }).click();
    await page.waitForURL((url) => url.searchParams.has('asset'));
    assert.equal(await page.locator('#trigger-asset').isChecked(), true);
    await page.getByLabel('Titre', { exact: true }).fill('Recrutement infonuagique');
    await submit(page, page.getByRole('button', { name: 'Commencer l’évaluation', exact: true }));
    assert.match(new URL(page.url()).pathname, /^\/privacy-assessments\/\d+$/);
    const assessment = new URL(page.url()).pathname;
    assert.match(await h1(page), /^EFVP-\d{4}-\d{5} — Recrutement infonuagique$/);
    await page.locator('#purposes').fill('Pourvoir les postes affichés');
    await submit(page, page.getByRole('button', { name: 'Enregistrer les sections', exact: true }));
    assert.equal(await page.locator('#purposes').inputValue(), 'Pourvoir les postes affichés');
    await shot(page, '05k-privacy-assessment');
    await axeCheck(page, '/privacy-assessments/{id}');
    for (const [path, title] of [
      ['/personal-info-files', 'Fichiers de renseignements personnels'],
      ['/personal-info-files?due=1', 'Fichiers de renseignements personnels'],
      ['/personal-info-files/new', 'Nouveau fichier'],
      ['/communications', 'Registre des communications'],
    ]) {
      await page.goto(`${BASE}${path}`);
      assert.equal(await h1(page), title);
      await axeCheck(page, path);
    }
    await page.goto(`${BASE}/personal-info-files?due=1`);
    await Promise.all([
      page.waitForURL((url) => /^\/personal-info-files\/\d+$/.test(url.pathname)),
      page.getByRole('link', { name: 'Candidatures non retenues', exact: true }).click(),
    ]);
    assert.equal(await h1(page), 'Candidatures non retenues');
    assert.match(await page.locator('.warning').textContent(), /doivent être détruits ou anonymisés/);
    await axeCheck(page, '/personal-info-files/{id}');
    // The committee's member signs in and gives the opinion at the outset.
    await submit(page, page.locator('.banner').getByRole('button', { name: 'Se déconnecter' }));
    await page.getByLabel('Adresse courriel', { exact: true }).fill('comite.aiprp@demo.rempart.quebec');
    await page.getByLabel('Mot de passe', { exact: true }).fill(DEMO_PASSWORD);
    await submit(page, page.getByRole('button', { name: 'Se connecter', exact: true }));
    await page.goto(`${BASE}${assessment}`);
    await page.getByLabel('Étape du projet', { exact: true }).selectOption('outset');
    await page.getByLabel('Date de l’avis', { exact: true }).fill(new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Toronto' }).format(new Date()));
    await page.getByLabel('Avis', { exact: true }).fill('Limiter la collecte au nécessaire');
    await submit(page, page.getByRole('button', { name: 'Consigner l’avis', exact: true }));
    assert.match(await page.locator('#h-opinions + table').textContent(), /Limiter la collecte au nécessaire/);
    await axeCheck(page, '/privacy-assessments/{id} (committee)');
    const found = findings.slice(before).map((f) => `${f.label}: [${f.impact}] ${f.id}`);
    assert.deepEqual(found, [], 'no axe finding of any impact on the privacy governance pages');
  });

  await step('6. no script error on any page', async () => {
    assert.deepEqual(pageErrors, []);
    // The pages must live within their own Content-Security-Policy: no inline style or script.
    const csp = [...new Set(cspViolations)];
    if (csp.length > 0) {
      console.log(`Content-Security-Policy violations (${cspViolations.length}):\n${csp.map((c) => `  ${c}`).join('\n')}`);
    }
    assert.deepEqual(csp, []);
  });

  const all = findings.map((f) => `  ${f.label}: [${f.impact}] ${f.id} (${f.nodes.length} node(s))`);
  console.log(`axe summary: ${findings.length} violation(s) in all${all.length ? `\n${all.join('\n')}` : ''}`);
});
