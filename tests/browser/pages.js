// pages.js: one visit to every page type a reader or an admin sees, for the validity and accessibility checks.
'use strict';

const { assert } = require('./lib');

// Fill the comment form so that the browser lets it through but the server
// must refuse it: a name of spaces only and a link that is not http(s).
async function submitInvalidComment(page) {
	const form = page.locator('#comment-form');
	await form.getByLabel(/name/i).fill('   ');
	await form.getByLabel(/website|url|link/i).fill('ftp://example.org/file');
	await form.getByRole('textbox', { name: /comment/i }).fill('This should come back with messages.');
	const [response] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === 'POST' &&
				     r.url().includes('/comments')),
		page.waitForEvent('load'),
		form.getByRole('button', { name: /post|send|submit|comment/i }).click(),
	]);
	return response;
}

async function adminLogin(page, stack) {
	await page.goto(stack.url('/admin/login'));
	await page.getByLabel(/name|user/i).fill(stack.admin.username);
	await page.getByLabel(/password/i).fill(stack.admin.password);
	await Promise.all([
		page.waitForURL((u) => !u.pathname.endsWith('/login')),
		page.getByRole('button', { name: /log in|sign in/i }).click(),
	]);
}

// The newest queued message of kind as the worker composed it (headers,
// then the body quoted-printable decoded), waiting up to 10 s for it.
async function queuedMail(stack, kind) {
	for (let i = 0; i < 100; i++) {
		const rows = await stack.sql(
			'SELECT message FROM mail_queue WHERE kind = ? AND message IS NOT NULL ORDER BY id DESC LIMIT 1',
			[kind]);
		if (rows.length > 0) {
			const [head, ...rest] = rows[0][0].split('\n\n');
			let body = rest.join('\n\n');
			if (/quoted-printable/i.test(head)) {
				const bytes = [];
				body = body.replace(/=\r?\n/g, '');
				for (let k = 0; k < body.length; k++) {
					if (body[k] === '=' && /^[0-9A-F]{2}$/.test(body.substr(k + 1, 2))) {
						bytes.push(parseInt(body.substr(k + 1, 2), 16));
						k += 2;
					} else
						bytes.push(...Buffer.from(body[k], 'utf8'));
				}
				body = Buffer.from(bytes).toString('utf8');
			}
			return `${head}\n\n${body}`;
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`no ${kind} mail was queued`);
}

// The path under the site of the first link in body matching re.
function mailedPath(stack, body, re) {
	const m = body.match(re);
	assert(m, `no link matching ${re} in the mail:\n${body}`);
	return new URL(m[0]).pathname + new URL(m[0]).search;
}

// Visit each page type in page (a fresh context's page), calling
// visit(name, page, {status, html}) once it is loaded.  Returns the names
// that could not be visited with why, so callers can fail with a reason.
async function everyPage(stack, page, visit) {
	const problems = [];
	const slug = stack.posts.long;
	const seen = async (name, response) => {
		assert(response, `${name}: no response`);
		const html = await response.text();
		await visit(name, page, { status: response.status(), html, url: page.url() });
	};
	const go = async (name, p, expectStatus) => {
		try {
			const response = await page.goto(stack.url(p));
			assert(response.status() === expectStatus,
			       `${name}: GET ${p} answered ${response.status()}, expected ${expectStatus}`);
			await seen(name, response);
		} catch (e) {
			problems.push(`${name}: ${e.message}`);
		}
	};

	await go('index', '/', 200);
	await go('index-page-2', '/page/2', 200);
	await go('post-thread', `/posts/${slug}`, 200);
	try {
		await page.goto(stack.url(`/posts/${slug}`));
		const response = await submitInvalidComment(page);
		assert(response.status() === 422,
		       `post-errors: the invalid comment answered ${response.status()}, expected 422`);
		await seen('post-errors', response);
	} catch (e) {
		problems.push(`post-errors: ${e.message}`);
	}
	try {
		// The reader's own pages: a preview, then the comment posted and its edit form.
		await page.goto(stack.url(`/posts/${slug}`));
		const form = page.locator('#comment-form');
		await form.getByLabel('Name', { exact: true }).fill('Page Visitor');
		await form.getByLabel('Comment', { exact: true }).fill('A *preview* with [a link](https://example.org).');
		const submit = async (button) => {
			const [response] = await Promise.all([
				page.waitForResponse((r) => r.request().resourceType() === 'document'),
				page.waitForEvent('load'),
				form.getByRole('button', { name: button }).click(),
			]);
			return response;
		};
		const preview = await submit('Preview');
		assert(preview.status() === 200, `post-preview: the preview answered ${preview.status()}`);
		await seen('post-preview', preview);
		await submit('Post comment');
		const edit = page.getByRole('link', { name: 'Edit your comment' }).first();
		const href = await edit.getAttribute('href');
		const response = await page.goto(new URL(href, page.url()).href);
		assert(response.status() === 200, `comment-edit: ${href} answered ${response.status()}`);
		await seen('comment-edit', response);
	} catch (e) {
		problems.push(`post-preview, comment-edit: ${e.message}`);
	}
	try {
		// A reader ticks a box: the confirmation mail's links open the mail pages.
		await page.goto(stack.url(`/posts/${slug}`));
		const form = page.locator('#comment-form');
		await form.getByLabel('Name', { exact: true }).fill('Mail Reader');
		await form.getByRole('textbox', { name: /email/i }).fill('mail.reader@example.org');
		await form.getByLabel('Comment', { exact: true }).fill('Tell me when someone answers.');
		await form.getByLabel('Notify me of new comments by email').check();
		await Promise.all([
			page.waitForEvent('load'),
			form.getByRole('button', { name: 'Post comment' }).click(),
		]);
		const mail = await queuedMail(stack, 'confirm');
		await go('mail-confirm', mailedPath(stack, mail, /https?:\/\/\S+\/subscriptions\/confirm\?t=[\w-]+/), 200);
		await go('mail-unsubscribe', mailedPath(stack, mail, /https?:\/\/[^\s<>]+\/subscriptions\/unsubscribe\?t=[\w-]+/), 200);
		const moderation = await queuedMail(stack, 'moderate');
		await go('mail-moderate', mailedPath(stack, moderation, /https?:\/\/\S+\/admin\/mail\/[\w-]+/), 200);
	} catch (e) {
		problems.push(`mail pages: ${e.message}`);
	}
	await go('post-own-pending', `/posts/${slug}`, 200);
	await go('tags-index', '/tags', 200);
	await go('subscribe', '/subscribe', 200);
	await go('subscribe-post', `/subscribe?post=${slug}`, 200);
	await go('post-closed', `/posts/${stack.posts.closed}`, 200);
	await go('tag', '/tags/habits', 200);
	await go('search', '/search?q=reading', 200);
	await go('search-empty', '/search?q=zzzznothing', 200);
	await go('not-found', '/posts/no-such-post', 404);
	await go('login', '/admin/login', 200);
	try {
		await page.getByLabel(/name|user/i).fill(stack.admin.username);
		await page.getByLabel(/password/i).fill('not the password');
		const [response] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST'),
			page.waitForEvent('load'),
			page.getByRole('button', { name: /log in|sign in/i }).click(),
		]);
		assert(response.status() === 401, `login-failed: a wrong password answered ${response.status()}`);
		await seen('login-failed', response);
	} catch (e) {
		problems.push(`login-failed: ${e.message}`);
	}
	try {
		await adminLogin(page, stack);
	} catch (e) {
		problems.push(`admin login: ${e.message}`);
		return problems;
	}
	await go('queue', '/admin/', 200);
	try {
		// One action through the web form, so the audit page has a row.
		await page.goto(stack.url('/admin/'));
		await Promise.all([
			page.waitForEvent('load'),
			page.getByRole('button', { name: /^approve/i }).first().click(),
		]);
	} catch (e) {
		problems.push(`approve from the queue: ${e.message}`);
	}
	for (const status of ['approved', 'rejected', 'spam'])
		await go(`comments-${status}`, `/admin/comments?status=${status}`, 200);
	try {
		await page.goto(stack.url('/admin/'));
		const link = page.getByRole('link', { name: /audit|history/i }).first();
		const href = (await link.count()) ? await link.getAttribute('href') : null;
		assert(href, 'audit: the admin pages have no link named audit or history');
		const response = await page.goto(new URL(href, page.url()).href);
		assert(response.status() === 200, `audit: ${href} answered ${response.status()}`);
		await seen('audit', response);
	} catch (e) {
		problems.push(`audit: ${e.message}`);
	}
	// The author's desk: a comment's page in its context, find, trash, posts, a confirmation.
	await go('desk-comment', `/admin/comments/${stack.comments.grace}`, 200);
	await go('desk-find', '/admin/comments?status=all&q=glue', 200);
	await go('desk-find-refused', '/admin/comments?status=all&q=' + 'w'.repeat(300), 400);
	await go('desk-trash', '/admin/comments?status=trash', 200);
	await go('desk-posts', '/admin/posts', 200);
	try {
		await page.goto(stack.url('/admin/'));
		const [response] = await Promise.all([
			page.waitForResponse((r) => r.request().resourceType() === 'document'),
			page.waitForEvent('load'),
			page.getByRole('button', { name: /^Block this address/ }).first().click(),
		]);
		assert(response.status() === 200, `desk-confirm: answered ${response.status()}`);
		await seen('desk-confirm', response);
	} catch (e) {
		problems.push(`desk-confirm: ${e.message}`);
	}
	return problems;
}

module.exports = { everyPage, adminLogin, submitInvalidComment };
