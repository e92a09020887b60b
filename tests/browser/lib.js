// lib.js: what the browser test scripts share: the seeded stack, Chromium, a tiny test runner.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const readline = require('readline');

const SKIP = 77;
const SOURCE_DIR = process.env.PARLEY_SOURCE_DIR || path.resolve(__dirname, '..', '..');
const BUILD_DIR = process.env.PARLEY_BUILD_DIR || '';
const CHROMIUM = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';
const PYTHON = process.env.PARLEY_PYTHON || '/usr/bin/python3';
// When the tools are missing the tests skip, unless the test script said
// they must be there (scripts/test.d/browser.sh installs them and sets this).
const REQUIRED = process.env.PARLEY_BROWSER_REQUIRED === '1';

const CHROMIUM_ARGS = [
	'--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update',
	'--disable-sync', '--disable-dev-shm-usage',
];

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 800 };

// Exit 77 (skipped) when a tool is missing and not required; fail when it is.
function need(what, ok) {
	if (ok)
		return;
	if (REQUIRED) {
		console.error(`missing: ${what} (required: PARLEY_BROWSER_REQUIRED=1)`);
		process.exit(1);
	}
	console.error(`skipped: ${what} is not installed (scripts/test installs it)`);
	process.exit(SKIP);
}

function loadPlaywright() {
	need(CHROMIUM, fs.existsSync(CHROMIUM));
	let pw;
	try {
		pw = require('playwright-core');
	} catch (e) {
		need('tests/browser/node_modules (npm ci)', false);
	}
	need('the parley programs (PARLEY_BUILD_DIR)',
	     BUILD_DIR && fs.existsSync(path.join(BUILD_DIR, 'parley-blog')));
	return pw;
}

// A running, seeded stack (tests/browser/serve.py) and a way to ask it things.
class Stack {
	static async start() {
		const env = Object.assign({}, process.env, {
			PYTHONPATH: path.join(SOURCE_DIR, 'tests', 'integration'),
			PARLEY_SOURCE_DIR: SOURCE_DIR,
			PARLEY_BUILD_DIR: BUILD_DIR,
		});
		const child = spawn(PYTHON, ['-B', path.join(__dirname, 'serve.py')],
				    { env, stdio: ['pipe', 'pipe', 'inherit'] });
		const stack = new Stack(child);
		const first = await stack.nextLine(60000);
		let info;
		try {
			info = JSON.parse(first);
		} catch (e) {
			throw new Error(`serve.py said: ${first}`);
		}
		if (!info.ready) {
			await stack.stop();
			if (info.skip)
				need(`the test site (${info.error})`, false);
			throw new Error(`the test site did not start:\n${info.error}`);
		}
		Object.assign(stack, info);
		return stack;
	}

	constructor(child) {
		this.child = child;
		this.lines = [];
		this.waiting = null;
		this.closed = false;
		const rl = readline.createInterface({ input: child.stdout });
		rl.on('line', (line) => {
			if (this.waiting) {
				const w = this.waiting;
				this.waiting = null;
				w.resolve(line);
			} else {
				this.lines.push(line);
			}
		});
		child.on('exit', (code) => {
			this.closed = true;
			if (this.waiting) {
				this.waiting.reject(new Error(`serve.py exited (${code})`));
				this.waiting = null;
			}
		});
	}

	nextLine(timeout) {
		if (this.lines.length)
			return Promise.resolve(this.lines.shift());
		if (this.closed)
			return Promise.reject(new Error('serve.py has exited'));
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.waiting = null;
				reject(new Error('serve.py did not answer in time'));
			}, timeout);
			this.waiting = {
				resolve: (l) => { clearTimeout(timer); resolve(l); },
				reject: (e) => { clearTimeout(timer); reject(e); },
			};
		});
	}

	async ask(request) {
		this.child.stdin.write(JSON.stringify(request) + '\n');
		const reply = JSON.parse(await this.nextLine(30000));
		if (reply.error)
			throw new Error(`serve.py: ${reply.error}`);
		return reply;
	}

	// Rows of a query on the site's database (read-only use, please).
	async sql(q, args = []) {
		return (await this.ask({ op: 'sql', q, args })).rows;
	}

	async cli(...args) {
		return this.ask({ op: 'cli', args });
	}

	url(p) {
		return this.base_url.replace(/\/$/, '') + p;
	}

	stop() {
		if (this.closed)
			return Promise.resolve();
		return new Promise((resolve) => {
			const timer = setTimeout(() => { this.child.kill('SIGKILL'); resolve(); }, 15000);
			this.child.on('exit', () => { clearTimeout(timer); resolve(); });
			this.child.stdin.end();
		});
	}
}

async function launch(pw) {
	return pw.chromium.launch({
		executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true,
		timeout: 30000,
	});
}

function screenshotDir() {
	const dir = path.join(BUILD_DIR || require('os').tmpdir(), 'screenshots');
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

// Full-page screenshots of the page as it is, at desktop and phone widths,
// into the build folder's screenshots/.  Returns what is broken at phone
// width (something sticking out sideways, a header filling the screen), or
// null: a page must work at 360 px.
async function screenshots(page, name) {
	const dir = screenshotDir();
	const before = page.viewportSize();
	let overflow = null;
	await page.setViewportSize(DESKTOP);
	await page.screenshot({ path: path.join(dir, `${name}-desktop.png`), fullPage: true });
	await page.setViewportSize(PHONE);
	overflow = await horizontalOverflow(page);
	if (!overflow) {
		// A page header that takes most of a phone's screen is broken too.
		const banner = await page.evaluate(() => {
			const h = document.querySelector('body > header');
			return h ? h.getBoundingClientRect().height : 0;
		});
		if (banner > PHONE.height * 0.4)
			overflow = `the page header is ${Math.round(banner)}px tall at 360 px wide`;
	}
	await page.screenshot({ path: path.join(dir, `${name}-phone.png`), fullPage: true });
	if (before)
		await page.setViewportSize(before);
	return overflow;
}

// Collect what a person would notice as broken on a page (a stylesheet or
// icon that fails to load, a Content-Security-Policy refusal, a script
// error); take() returns and clears what has been seen so far.
function watchPage(page) {
	const seen = [];
	page.on('response', (r) => {
		if (r.request().resourceType() !== 'document' && r.status() >= 400)
			seen.push(`${r.request().resourceType()} ${r.url()} answered ${r.status()}`);
	});
	page.on('requestfailed', (r) => {
		if (r.request && r.resourceType() !== 'document')
			seen.push(`${r.resourceType()} ${r.url()} failed: ${r.failure() && r.failure().errorText}`);
	});
	page.on('console', (m) => {
		if (m.type() === 'error' && !/^Failed to load resource/.test(m.text()))
			seen.push(`console: ${m.text()}`);
	});
	page.on('pageerror', (e) => seen.push(`page error: ${e.message}`));
	return { take: () => seen.splice(0, seen.length) };
}

const watchers = new WeakMap();

// A page whose loading problems are collected (see watchPage).
async function openPage(context) {
	const page = await context.newPage();
	page.setDefaultTimeout(15000);
	watchers.set(page, watchPage(page));
	return page;
}

// Screenshots of the page at both widths; fails when it is broken at
// 360 px or something on it failed to load since the last check.
async function shoot(page, name) {
	const overflow = await screenshots(page, name);
	assert(!overflow, `${name} at 360 px: ${overflow}`);
	const broken = watchers.get(page).take();
	assert(broken.length === 0, `${name}: ${broken.join('; ')}`);
}

// The page in the dark colour scheme, at desktop width.
async function shootDark(page, name) {
	await page.emulateMedia({ colorScheme: 'dark' });
	await page.screenshot({ path: path.join(screenshotDir(), `${name}-dark-desktop.png`), fullPage: true });
	await page.emulateMedia({ colorScheme: 'light' });
}

// Nothing may stick out sideways at phone width (a horizontal scroll bar).
async function horizontalOverflow(page) {
	return page.evaluate(() => {
		const doc = document.documentElement;
		if (doc.scrollWidth <= doc.clientWidth + 1)
			return null;
		const wide = [];
		for (const el of document.querySelectorAll('body *')) {
			const r = el.getBoundingClientRect();
			if (r.right > doc.clientWidth + 1) {
				const cls = typeof el.className === 'string' && el.className ?
					'.' + el.className.trim().split(/\s+/).join('.') : '';
				wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls} right=${Math.round(r.right)}`);
			}
			if (wide.length >= 5)
				break;
		}
		return `the page is ${doc.scrollWidth}px wide in a ${doc.clientWidth}px viewport: ${wide.join(', ')}`;
	});
}

// Sequential named steps; each failure is printed and counted, and the
// run ends with the plain "N passed, N failed" line ctest's log shows.
class Runner {
	constructor(title) {
		this.title = title;
		this.passed = 0;
		this.failed = 0;
	}

	async step(name, fn) {
		const t0 = Date.now();
		try {
			await fn();
			this.passed++;
			console.log(`ok   ${name} (${Date.now() - t0} ms)`);
			return true;
		} catch (e) {
			this.failed++;
			console.log(`FAIL ${name} (${Date.now() - t0} ms)\n     ${String(e && e.stack || e).split('\n').join('\n     ')}`);
			return false;
		}
	}

	finish() {
		console.log(`${this.passed} passed, ${this.failed} failed`);
		return this.failed ? 1 : 0;
	}
}

function assert(cond, message) {
	if (!cond)
		throw new Error(message);
}

// Run main(ctx) with a watchdog, always stopping the browser and the stack.
function run(title, limitSeconds, main) {
	const pw = loadPlaywright();
	const state = { browser: null, stack: null };
	const runner = new Runner(title);
	const watchdog = setTimeout(() => {
		console.log(`FAIL ${title}: still running after ${limitSeconds} s`);
		runner.failed++;
		runner.finish();
		// serve.py stops its stack when its stdin closes.
		if (state.stack)
			state.stack.child.stdin.end();
		process.exit(1);
	}, limitSeconds * 1000);
	(async () => {
		let code = 1;
		try {
			state.stack = await Stack.start();
			state.browser = await launch(pw);
			await main({ pw, browser: state.browser, stack: state.stack, runner });
			code = runner.finish();
		} catch (e) {
			console.log(`FAIL ${title}: ${e && e.stack || e}`);
			runner.failed++;
			runner.finish();
			code = 1;
		} finally {
			if (state.browser)
				await state.browser.close().catch(() => {});
			if (state.stack)
				await state.stack.stop();
			clearTimeout(watchdog);
		}
		process.exit(code);
	})();
}

module.exports = {
	SOURCE_DIR, BUILD_DIR, DESKTOP, PHONE, Stack, Runner, assert, run,
	screenshots, screenshotDir, horizontalOverflow, need, watchPage, openPage, shoot, shootDark,
};
