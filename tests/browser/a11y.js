// a11y.js: axe-core on every page type, light and dark: no serious or critical violations.
'use strict';

const fs = require('fs');
const path = require('path');
const { run, assert, need, DESKTOP, PHONE } = require('./lib');
const { everyPage } = require('./pages');

const AXE = path.join(__dirname, 'node_modules', 'axe-core', 'axe.min.js');
need(AXE, fs.existsSync(AXE));

const BLOCKING = new Set(['serious', 'critical']);
// Pages checked at phone width too (the reader's forms and the pages they lead to).
const PHONE_TOO = new Set(['post-thread', 'post-errors', 'post-preview', 'comment-edit',
	'post-own-pending', 'tags-index', 'subscribe', 'subscribe-post',
	'mail-confirm', 'mail-unsubscribe', 'mail-moderate',
	'queue', 'desk-comment', 'desk-find', 'desk-trash', 'desk-posts', 'desk-confirm', 'audit']);

// Run axe on the page as it is; returns the blocking violations, described.
async function axe(page) {
	if (!(await page.evaluate(() => typeof window.axe !== 'undefined')))
		await page.addScriptTag({ path: AXE });
	const result = await page.evaluate(async () => {
		// eslint-disable-next-line no-undef
		const r = await axe.run(document, {
			runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
			resultTypes: ['violations'],
		});
		return r.violations.map((v) => ({
			id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.map((n) => ({
				target: n.target.join(' '), summary: n.failureSummary,
				html: n.html.slice(0, 200),
			})),
		}));
	});
	return result.filter((v) => BLOCKING.has(v.impact));
}

function describe(violations) {
	const out = [];
	for (const v of violations) {
		out.push(`[${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element(s))`);
		for (const n of v.nodes.slice(0, 4))
			out.push(`    ${n.target}: ${n.html}\n      ${(n.summary || '').split('\n').join('\n      ')}`);
	}
	return out.join('\n       ');
}

run('a11y', 280, async ({ browser, stack, runner }) => {
	// The site's Content-Security-Policy rightly forbids injected scripts:
	// bypass it for this context only, so axe can be added to each page.
	const context = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
	const page = await context.newPage();
	page.setDefaultTimeout(15000);
	await runner.step('axe-core reports a known violation', async () => {
		await page.setContent('<!doctype html><html lang="en"><head><title>canary</title></head><body><main>' +
				      '<input type="text"><p style="color:#bbb;background:#fff">faint</p></main></body></html>');
		const found = (await axe(page)).map((v) => v.id);
		assert(found.includes('label') && found.includes('color-contrast'),
		       `axe found ${JSON.stringify(found)} in a page with an unlabelled field and faint text`);
	});
	const checked = [];
	let problems = [];
	await runner.step('visit every page type', async () => {
		problems = await everyPage(stack, page, async (name) => {
			const widths = PHONE_TOO.has(name) ? [DESKTOP, PHONE] : [DESKTOP];
			for (const viewport of widths) {
				await page.setViewportSize(viewport);
				for (const scheme of ['light', 'dark']) {
					await page.emulateMedia({ colorScheme: scheme });
					const violations = await axe(page);
					checked.push({ name: `${name} (${scheme}, ${viewport.width} px)`, violations });
				}
			}
			await page.setViewportSize(DESKTOP);
			await page.emulateMedia({ colorScheme: 'light' });
		});
		assert(problems.length === 0, `could not check every page:\n  ${problems.join('\n  ')}`);
	});
	for (const c of checked) {
		await runner.step(`accessible: ${c.name}`, async () => {
			assert(c.violations.length === 0, `axe-core found serious or critical problems:\n       ${describe(c.violations)}`);
		});
	}
	await context.close();
});
