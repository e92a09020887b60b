// reader.js: the reader's side in Chromium, by label and role: preview, a refused comment kept, remember me, edit, likes, tags, subscribe.
'use strict';

const { run, assert, openPage, shoot, shootDark, DESKTOP, PHONE } = require('./lib');

// Submit with a control and wait for the page it leads to; returns that
// page's response (after any redirect).
async function clickAndLoad(page, locator) {
	const [response] = await Promise.all([
		page.waitForResponse((r) => r.request().resourceType() === 'document' &&
				     (r.status() < 300 || r.status() >= 400)),
		page.waitForEvent('load'),
		locator.click(),
	]);
	return response;
}

// Screenshots at 1280 and 360 px (nothing may stick out at 360, nothing fail to load), and dark.
async function shootBoth(page, name) {
	await shoot(page, name);
	await shootDark(page, name);
}

async function count(stack, where, args = []) {
	return (await stack.sql(`SELECT count(*) FROM comments WHERE ${where}`, args))[0][0];
}

// Is the element's top inside the viewport (the browser brought it into view)?
async function inView(locator) {
	return locator.evaluate((el) => {
		const r = el.getBoundingClientRect();
		return r.top >= 0 && r.top < window.innerHeight;
	});
}

run('reader', 150, async ({ browser, stack, runner }) => {
	const slug = stack.posts.long;
	const context = await browser.newContext({ viewport: DESKTOP });
	const reader = await openPage(context);
	const form = reader.locator('#comment-form');

	await runner.step('preview a comment: rendered safely, refilled, nothing stored', async () => {
		const before = await count(stack, '1=1');
		await reader.goto(stack.url(`/posts/${slug}`));
		await form.getByLabel('Name', { exact: true }).fill('Noor Haddad');
		await form.getByLabel('Comment', { exact: true }).fill('A *slow* read <script>alert(1)</script> [x](javascript:alert(2))');
		const res = await clickAndLoad(reader, form.getByRole('button', { name: 'Preview' }));
		assert(res.status() === 200, `the preview answered ${res.status()}`);
		const preview = reader.getByRole('region', { name: /preview/i });
		await preview.waitFor();
		assert(await preview.locator('em', { hasText: 'slow' }).count() === 1, 'the preview does not render the Markdown');
		assert(await preview.locator('script').count() === 0, 'the preview holds a script');
		assert(await preview.locator('a[href^="javascript"]').count() === 0, 'the preview links javascript:');
		assert(await form.getByLabel('Comment', { exact: true }).inputValue() ===
		       'A *slow* read <script>alert(1)</script> [x](javascript:alert(2))', 'the preview did not refill the comment');
		assert(await count(stack, '1=1') === before, 'a preview stored a comment');
		await shootBoth(reader, 'reader-preview');
	});

	await runner.step('a refused comment comes back at the form, text kept, limit stated', async () => {
		await reader.goto(stack.url(`/posts/${slug}`));
		const limit = await form.getByLabel('Comment', { exact: true }).getAttribute('maxlength');
		assert(Number(limit) > 0, 'the comment field has no maxlength');
		await form.getByLabel('Name', { exact: true }).fill('Noor Haddad');
		// Past maxlength the way a pasted-in script or an old browser would.
		await form.getByLabel('Comment', { exact: true }).evaluate((el, n) => { el.value = 'w'.repeat(n + 1); }, Number(limit));
		const res = await clickAndLoad(reader, form.getByRole('button', { name: 'Post comment' }));
		assert(res.status() === 413, `a too long comment answered ${res.status()}`);
		assert(/^Error/.test(await reader.title()), `the 413 page's title is "${await reader.title()}"`);
		assert(new URL(reader.url()).hash === '#comment-form', `the 413 page is at ${reader.url()}`);
		const alert = form.getByRole('alert');
		await alert.first().waitFor();
		assert(await inView(alert.first()), 'the message is not in view');
		assert(/at most [\d,]+ characters/.test(await form.innerText()), 'the limit is not stated');
		assert((await form.getByLabel('Comment', { exact: true }).inputValue()).length === Number(limit) + 1,
		       'the text was not kept');
		await shootBoth(reader, 'reader-too-long');
	});

	await runner.step('remember me: the next form is filled, forget me clears it', async () => {
		await reader.goto(stack.url(`/posts/${slug}`));
		await form.getByLabel('Name', { exact: true }).fill('Noor Haddad');
		await form.getByLabel(/^email/i).fill('noor@example.net');
		await form.getByLabel(/^website/i).fill('https://noor.example');
		await form.getByLabel('Comment', { exact: true }).fill('Twenty minutes, then a walk.');
		await form.getByRole('checkbox', { name: /remember me/i }).check();
		await clickAndLoad(reader, form.getByRole('button', { name: 'Post comment' }));
		await reader.goto(stack.url(`/posts/${stack.posts.short}`));
		assert(await form.getByLabel('Name', { exact: true }).inputValue() === 'Noor Haddad', 'the name was not remembered');
		assert(await form.getByLabel(/^email/i).inputValue() === 'noor@example.net', 'the email was not remembered');
		assert(await form.getByRole('checkbox', { name: /remember me/i }).isChecked(), 'remember me is not ticked');
		await clickAndLoad(reader, form.getByRole('link', { name: /forget me/i }));
		assert(await form.getByLabel('Name', { exact: true }).inputValue() === '', 'forget me left the name');
		await reader.reload();
		assert(await form.getByLabel('Name', { exact: true }).inputValue() === '', 'the name came back after forget me');
	});

	await runner.step('my comment is awaiting moderation, on one line at 360 px', async () => {
		await reader.goto(stack.url(`/posts/${slug}`));
		const mine = reader.locator('article.comment', { hasText: 'Twenty minutes, then a walk.' }).last();
		await mine.waitFor();
		const heading = await reader.getByRole('heading', { level: 2, name: /comment/i }).first().innerText();
		assert(/5 comments/.test(heading) && /awaiting moderation/.test(heading), `the heading says "${heading}"`);
		for (const viewport of [DESKTOP, PHONE]) {
			await reader.setViewportSize(viewport);
			const lines = await mine.getByText(/awaiting moderation/i).evaluate((el) => {
				const lh = parseFloat(getComputedStyle(el).lineHeight) || 20;
				return { rects: el.getClientRects().length, height: el.getBoundingClientRect().height, lh };
			});
			assert(lines.rects === 1 && lines.height < lines.lh * 1.8,
			       `the mark takes ${lines.rects} boxes, ${lines.height}px at ${viewport.width} px`);
		}
		await reader.setViewportSize(DESKTOP);
	});

	await runner.step('a long thread: jump to comments, leave a comment, the comment feed', async () => {
		await reader.goto(stack.url(`/posts/${slug}`));
		const jump = reader.getByRole('link', { name: /jump to comments/i });
		await jump.waitFor();
		await jump.click();
		await reader.waitForURL((u) => u.hash === '#comments');
		await reader.getByRole('link', { name: /leave a comment/i }).first().click();
		await reader.waitForURL((u) => u.hash === '#comment-form');
		const alt = await reader.locator('link[rel="alternate"][href$="/comments.atom"]').count();
		assert(alt === 1, 'the post does not advertise its comment feed');
	});

	await runner.step('edit my comment from this browser', async () => {
		await reader.goto(stack.url(`/posts/${slug}`));
		const mine = reader.locator('article.comment', { hasText: 'Twenty minutes, then a walk.' }).last();
		await clickAndLoad(reader, mine.getByRole('link', { name: /edit/i }));
		await reader.getByRole('heading', { level: 1, name: 'Edit your comment' }).waitFor();
		await shootBoth(reader, 'reader-edit');
		const edit = reader.locator('#comment-edit-form');
		await edit.getByLabel('Comment', { exact: true }).fill('Twenty minutes, then a long walk.');
		const res = await clickAndLoad(reader, edit.getByRole('button', { name: /save/i }));
		assert(res.status() === 200 && new URL(reader.url()).pathname.endsWith(`/posts/${slug}`),
		       `saving led to ${reader.url()} (${res.status()})`);
		await reader.getByText('Twenty minutes, then a long walk.').waitFor();
		const rows = await stack.sql("SELECT count(*) FROM audit WHERE action LIKE 'edit%'");
		assert(rows[0][0] >= 1, 'the edit is not in the audit log');
		// Another browser cannot.
		const other = await browser.newContext({ viewport: DESKTOP });
		const page = await other.newPage();
		const href = await reader.locator('article.comment', { hasText: 'long walk' }).last()
			.getByRole('link', { name: /edit/i }).getAttribute('href');
		const refused = await page.goto(new URL(href, reader.url()).href);
		assert(refused.status() === 403, `another browser's edit answered ${refused.status()}`);
		await page.getByRole('link', { name: /back to/i }).waitFor();
		await other.close();
	});

	await runner.step('like the post, once', async () => {
		await reader.goto(stack.url(`/posts/${slug}`));
		await clickAndLoad(reader, reader.getByRole('button', { name: 'Like' }));
		await reader.getByText(/you like this/i).waitFor();
		await reader.getByText('1 reader likes this').first().waitFor();
		assert(await reader.getByRole('button', { name: 'Like' }).count() === 0, 'the Like button is still offered');
		await reader.goto(stack.url('/'));
		await reader.getByText('1 reader likes this').first().waitFor();
		await reader.goto(stack.url(`/posts/${slug}`));
		await shootBoth(reader, 'reader-liked');
	});

	await runner.step('the tags page lists every tag with its count', async () => {
		await reader.goto(stack.url('/'));
		await clickAndLoad(reader, reader.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Tags' }));
		await reader.getByRole('heading', { level: 1, name: 'Tags' }).waitFor();
		const habits = reader.getByRole('main').getByRole('listitem').filter({ hasText: 'habits' });
		assert(/\d+ posts?/.test(await habits.innerText()), `the habits tag shows "${await habits.innerText()}"`);
		await shootBoth(reader, 'reader-tags');
		await clickAndLoad(reader, habits.getByRole('link'));
		await reader.getByRole('heading', { level: 1, name: /habits/ }).waitFor();
	});

	await runner.step('subscribe: a page for people, not raw XML', async () => {
		await reader.goto(stack.url('/'));
		await clickAndLoad(reader, reader.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Subscribe' }));
		await reader.getByRole('heading', { level: 1, name: 'Subscribe' }).waitFor();
		const address = await reader.getByLabel(/address of the feed/i).inputValue();
		assert(address.endsWith('/feed.atom'), `the feed address is ${address}`);
		await shootBoth(reader, 'reader-subscribe');
		await reader.goto(stack.url(`/posts/${slug}`));
		await clickAndLoad(reader, reader.getByRole('link', { name: /follow the comments/i }));
		const comments = await reader.getByLabel(/comment feed/i).inputValue();
		assert(comments.endsWith(`/posts/${slug}/comments.atom`), `the comment feed address is ${comments}`);
		await shootBoth(reader, 'reader-subscribe-post');
	});
	await context.close();
});
