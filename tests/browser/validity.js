// validity.js: every page type through the Nu HTML Checker; the feeds and sitemap through other parsers.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { run, assert, need, SOURCE_DIR } = require('./lib');
const { everyPage } = require('./pages');

const VNU = path.join(__dirname, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const JAVA = process.env.PARLEY_JAVA || '/usr/bin/java';

need(VNU, fs.existsSync(VNU));
need(JAVA, fs.existsSync(JAVA));
need('xmllint (libxml2-utils)', spawnSync('xmllint', ['--version']).status === 0);
need('python3-feedparser', spawnSync('/usr/bin/python3', ['-c', 'import feedparser']).status === 0);

// Run vnu once over all files; returns {file: [messages]} of errors.
function vnu(files) {
	const args = ['-Xss8m', '-jar', VNU, '--errors-only', '--format', 'json',
		      '--exit-zero-always', '--also-check-css'];
	const res = spawnSync(JAVA, args.concat(files), { encoding: 'utf8', timeout: 120000 });
	if (res.error)
		throw res.error;
	let report;
	try {
		report = JSON.parse(res.stderr || res.stdout);
	} catch (e) {
		throw new Error(`vnu printed no JSON (status ${res.status}): ${res.stderr}${res.stdout}`);
	}
	const byFile = {};
	for (const f of files)
		byFile[f] = [];
	for (const m of report.messages || []) {
		const file = decodeURIComponent((m.url || '').replace(/^file:/, ''));
		if (m.type === 'error' || m.type === 'non-document-error' || m.subType === 'fatal')
			(byFile[file] = byFile[file] || []).push(m);
	}
	return byFile;
}

function describe(m, html) {
	const lines = html.split('\n');
	const where = m.lastLine ? `line ${m.lastLine}` : 'document';
	const source = m.lastLine ? (lines[m.lastLine - 1] || '').trim().slice(0, 160) : '';
	return `${where}: ${m.message}${source ? `\n         | ${source}` : ''}`;
}

function xmllint(file) {
	const res = spawnSync('xmllint', ['--noout', '--nonet', file], { encoding: 'utf8' });
	if (res.error)
		return `xmllint: ${res.error.message}`;
	return res.status === 0 ? null : res.stderr.trim();
}

run('validity', 150, async ({ browser, stack, runner }) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-vnu-'));
	const pages = [];
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	page.setDefaultTimeout(15000);
	let problems = [];
	await runner.step('visit every page type', async () => {
		problems = await everyPage(stack, page, async (name, _page, got) => {
			const file = path.join(dir, `${name}.html`);
			fs.writeFileSync(file, got.html);
			pages.push({ name, file, html: got.html });
		});
		assert(problems.length === 0, `could not check every page:\n  ${problems.join('\n  ')}`);
	});
	await context.close();

	// A page with known errors goes through the same run: a checker that
	// reports nothing for it is broken, and so would be every pass below.
	const canary = path.join(dir, 'canary.html');
	fs.writeFileSync(canary, '<!doctype html><html lang="en"><head><title>canary</title></head>' +
			 '<body><p><div>block in a paragraph</div></p><img src="a.png"></body></html>\n');
	const stylesheets = fs.existsSync(path.join(SOURCE_DIR, 'templates', 'static')) ?
		fs.readdirSync(path.join(SOURCE_DIR, 'templates', 'static'))
			.filter((f) => f.endsWith('.css'))
			.map((f) => path.join(SOURCE_DIR, 'templates', 'static', f)) : [];
	const canaryCss = path.join(dir, 'canary.css');
	fs.writeFileSync(canaryCss, 'p { colr: red; }\n');
	const results = vnu(pages.map((p) => p.file).concat([canary, canaryCss], stylesheets));
	await runner.step('the Nu HTML Checker reports known errors', async () => {
		assert((results[canary] || []).length >= 2,
		       `vnu found ${(results[canary] || []).length} error(s) in a page with two`);
		assert((results[canaryCss] || []).length >= 1, 'vnu found no error in a stylesheet with one');
	});
	for (const p of pages) {
		await runner.step(`valid HTML: ${p.name}`, async () => {
			const errors = results[p.file] || [];
			assert(errors.length === 0, `${errors.length} error(s) from the Nu HTML Checker ` +
			       `(page kept in ${p.file}):\n       ${errors.map((m) => describe(m, p.html)).join('\n       ')}`);
		});
	}

	await runner.step('valid CSS: templates/static/*.css', async () => {
		assert(stylesheets.length > 0, 'no stylesheet in templates/static');
		const all = [];
		for (const f of stylesheets)
			for (const m of results[f] || [])
				all.push(`${path.basename(f)} line ${m.lastLine}: ${m.message}`);
		assert(all.length === 0, `CSS errors:\n       ${all.join('\n       ')}`);
	});

	const feeds = {
		'feed.atom': '/feed.atom',
		'comments.atom': `/posts/${stack.posts.long}/comments.atom`,
		'sitemap.xml': '/sitemap.xml',
	};
	const files = {};
	await runner.step('fetch the feeds and the sitemap', async () => {
		for (const [name, p] of Object.entries(feeds)) {
			const res = await fetch(stack.url(p));
			assert(res.status === 200, `GET ${p} answered ${res.status}`);
			const type = res.headers.get('content-type') || '';
			assert(/xml/.test(type), `GET ${p} has Content-Type ${type}, not XML`);
			files[name] = path.join(dir, name);
			fs.writeFileSync(files[name], Buffer.from(await res.arrayBuffer()));
		}
	});
	for (const name of Object.keys(feeds)) {
		await runner.step(`well-formed XML (xmllint): ${name}`, async () => {
			assert(files[name], `${name} was not fetched`);
			const err = xmllint(files[name]);
			assert(!err, `${name}:\n${err}`);
		});
	}
	await runner.step('feeds read by feedparser, sitemap by ElementTree', async () => {
		assert(files['sitemap.xml'], 'the feeds were not fetched');
		const published = Object.entries(stack.posts).map(([, slug]) => slug);
		const res = spawnSync('/usr/bin/python3', [path.join(__dirname, 'check_feeds.py'),
			stack.base_url.replace(/\/$/, ''), files['feed.atom'], files['comments.atom'],
			files['sitemap.xml']].concat(published), { encoding: 'utf8' });
		assert(res.status === 0, `problems:\n       ${(res.stdout + res.stderr).trim().split('\n').join('\n       ')}`);
	});
	if (runner.failed === 0)
		fs.rmSync(dir, { recursive: true, force: true });
});
