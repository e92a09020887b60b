// flows.js: readers and admins using parley in Chromium, found by labels and roles as a person would.
'use strict';

const path = require('path');
const { run, assert, screenshotDir, openPage, shoot, shootDark, DESKTOP, PHONE } = require('./lib');
const { adminLogin, submitInvalidComment } = require('./pages');

// The innermost element of the kinds that hold one comment, with this text.
function commentItem(page, text) {
	return page.locator('article, li, tr, .comment').filter({ hasText: text }).last();
}

// One part of the page with a margin of its background around it.
async function shootPart(page, locator, name, margin = 24) {
	await locator.scrollIntoViewIfNeeded();
	const box = await locator.boundingBox();
	assert(box, `${name}: nothing to photograph`);
	const scroll = await page.evaluate(() => ({ x: window.scrollX, y: window.scrollY }));
	const x = Math.max(0, box.x + scroll.x - margin), y = Math.max(0, box.y + scroll.y - margin);
	await page.screenshot({
		path: path.join(screenshotDir(), `${name}.png`), fullPage: true,
		clip: { x, y, width: box.width + 2 * margin, height: box.height + 2 * margin },
	});
}

// Submit a form by clicking a control and wait for the page it leads to.
async function clickAndLoad(page, locator) {
	await Promise.all([page.waitForEvent('load'), locator.click()]);
}

async function commentByAuthor(stack, author) {
	const rows = await stack.sql('SELECT id, status, parent_id FROM comments WHERE author = ? ORDER BY id DESC', [author]);
	assert(rows.length >= 1, `no comment by ${author} in the database`);
	return { id: rows[0][0], status: rows[0][1], parent: rows[0][2] };
}

// Press Tab (or key) until the focused element satisfies test (a function
// run in the page); fails after max presses.
async function tabTo(page, what, test, arg, max = 120, key = 'Tab') {
	for (let i = 0; i < max; i++) {
		await page.keyboard.press(key);
		if (await page.evaluate(test, arg))
			return;
	}
	throw new Error(`Tab never reached ${what} in ${max} presses`);
}

// Does the focused element show where the focus is (outline or shadow)?
async function focusVisible(page) {
	return page.evaluate(() => {
		const el = document.activeElement;
		const s = getComputedStyle(el);
		return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) ||
			(s.boxShadow && s.boxShadow !== 'none');
	});
}

// The bulk form: tick the comments by these authors, choose the action, apply.
async function bulk(page, authors, action) {
	for (const a of authors)
		await commentItem(page, a).getByRole('checkbox').check();
	const form = page.locator('form').filter({ has: page.getByRole('checkbox') }).first();
	const select = form.getByRole('combobox');
	if (await select.count()) {
		const value = await select.first().evaluate((el, want) => {
			const o = [...el.options].find((opt) => new RegExp(want, 'i').test(opt.textContent + ' ' + opt.value));
			return o ? o.value : null;
		}, action);
		assert(value, `the bulk action list has no ${action}`);
		await select.first().selectOption(value);
		const selected = form.getByRole('button', { name: /selected|checked/i });
		await clickAndLoad(page, (await selected.count()) ? selected.first() :
			form.getByRole('button', { name: /apply|go|do it|submit|update/i }).first());
	} else {
		await clickAndLoad(page, form.getByRole('button', { name: new RegExp(`${action}.*(selected|checked|all)|(selected|checked).*${action}`, 'i') }).first());
	}
}

run('flows', 150, async ({ browser, stack, runner }) => {
	const slug = stack.posts.long;
	const title = 'A field guide to slow reading';
	const newContext = () => browser.newContext({ viewport: DESKTOP });

	const readerContext = await newContext();
	const reader = await openPage(readerContext);

	await runner.step('read the index, page through it', async () => {
		const res = await reader.goto(stack.url('/'));
		assert(res.status() === 200, `GET / answered ${res.status()}`);
		assert(await reader.getByRole('main').count() === 1, 'the index has no single main landmark');
		await reader.getByRole('link', { name: title }).first().waitFor();
		assert(await reader.getByText(stack.conf.site_title).count() > 0, 'the site title is not shown');
		await shoot(reader, 'index');
		await clickAndLoad(reader, reader.getByRole('link', { name: /older/i }).first());
		await reader.getByRole('link', { name: 'Why I keep a paper logbook' }).waitFor();
		await shoot(reader, 'index-page-2');
	});

	await runner.step('open a post: its text, its thread, its form', async () => {
		await reader.goto(stack.url('/'));
		await clickAndLoad(reader, reader.getByRole('link', { name: title }).first());
		assert(new URL(reader.url()).pathname.endsWith(`/posts/${slug}`), `the title link led to ${reader.url()}`);
		await reader.getByRole('heading', { level: 1, name: title }).waitFor();
		await reader.getByRole('heading', { name: 'What I changed' }).waitFor();
		await reader.getByText(stack.conf.comment_prompt).first().waitFor();
		// Replies sit visibly inside (to the right of) what they answer.
		const ada = await reader.getByText('I tried this with a novel').boundingBox();
		const grace = await reader.getByText('Which novel?').boundingBox();
		const ada2 = await reader.getByText('Worth the third attempt').boundingBox();
		assert(ada && grace && ada2, 'the approved comments are not all shown');
		assert(grace.x > ada.x, `the reply is not indented under its parent (${grace.x} <= ${ada.x})`);
		assert(ada2.x > grace.x, `the reply to the reply is not indented further (${ada2.x} <= ${grace.x})`);
		assert(await reader.getByText('Pending comment number').count() === 0, 'pending comments are shown');
		assert(await reader.getByText('ada@example.org').count() === 0, 'an email address is shown publicly');
		await shoot(reader, 'post');
		await shootDark(reader, 'post');
		// For the README: the thread alone, light and dark, and the top
		// of the post as a phone shows it.
		const thread = reader.locator('#comments');
		await shootPart(reader, thread, 'thread');
		await reader.emulateMedia({ colorScheme: 'dark' });
		await shootPart(reader, thread, 'thread-dark');
		await reader.emulateMedia({ colorScheme: 'light' });
		await reader.setViewportSize(PHONE);
		await reader.evaluate(() => window.scrollTo(0, 0));
		await reader.screenshot({ path: path.join(screenshotDir(), 'post-phone-screen.png') });
		await reader.setViewportSize(DESKTOP);
	});

	await runner.step('tag and search pages list the posts', async () => {
		await clickAndLoad(reader, reader.getByRole('link', { name: 'habits' }).first());
		await reader.getByRole('link', { name: 'Mending a bicycle tyre' }).waitFor();
		await shoot(reader, 'tag');
		await reader.goto(stack.url('/'));
		await clickAndLoad(reader, reader.getByRole('navigation').getByRole('link', { name: /search/i }).first());
		const box = reader.getByRole('main').getByRole('searchbox')
			.or(reader.getByRole('main').getByLabel(/search/i)).first();
		await box.fill('tyre');
		await Promise.all([reader.waitForEvent('load'), box.press('Enter')]);
		assert(/[?&]q=tyre/.test(reader.url()), `searching led to ${reader.url()}`);
		await reader.getByRole('link', { name: 'Mending a bicycle tyre' }).waitFor();
		await shoot(reader, 'search');
	});

	await runner.step('a missing page is a real 404 page', async () => {
		const res = await reader.goto(stack.url('/posts/no-such-post'));
		assert(res.status() === 404, `a missing post answered ${res.status()}`);
		await reader.getByRole('heading', { level: 1 }).first().waitFor();
		await reader.getByRole('main').getByRole('link').first().waitFor();
		await shoot(reader, 'not-found');
	});

	await runner.step('a post with comments closed says so and has no form', async () => {
		const res = await reader.goto(stack.url(`/posts/${stack.posts.closed}`));
		assert(res.status() === 200, `the closed post answered ${res.status()}`);
		assert(await reader.locator('#comment-form').count() === 0, 'a post with comments closed shows the form');
		await reader.getByText(/comments are closed/i).first().waitFor();
		await shoot(reader, 'post-closed');
	});

	await runner.step('leave a comment and see it awaiting moderation', async () => {
		await reader.goto(stack.url(`/posts/${slug}`));
		const form = reader.locator('#comment-form');
		await form.getByLabel(/name/i).fill('Mira Chen');
		await form.getByRole('textbox', { name: /email/i }).fill('mira@example.net');
		await form.getByRole('textbox', { name: /comment/i }).fill('Twenty minutes works for me, **most** days.');
		await clickAndLoad(reader, form.getByRole('button', { name: /post|send|submit|comment/i }));
		assert(new URL(reader.url()).pathname.endsWith(`/posts/${slug}`), `after posting the browser is at ${reader.url()}`);
		const mine = commentItem(reader, 'Twenty minutes works for me');
		await mine.waitFor();
		assert(/awaiting moderation/i.test(await mine.innerText()),
		       `the new comment is not marked awaiting moderation: ${await mine.innerText()}`);
		const row = await commentByAuthor(stack, 'Mira Chen');
		assert(row.status === 'pending', `the new comment is stored ${row.status}`);
		await shoot(reader, 'post-pending');
	});

	await runner.step('another visitor does not see the pending comment', async () => {
		const other = await newContext();
		const page = await openPage(other);
		await page.goto(stack.url(`/posts/${slug}`));
		await page.getByText('Which novel?').waitFor();
		assert(await page.getByText('Twenty minutes works for me').count() === 0,
		       'a pending comment is shown to another browser');
		await other.close();
	});

	await runner.step('reply to a comment', async () => {
		await reader.goto(stack.url(`/posts/${slug}`));
		const lin = commentItem(reader, 'Would twenty minutes still work?');
		await clickAndLoad(reader, lin.getByRole('link', { name: /reply/i }).first());
		const form = reader.locator('#comment-form');
		await form.getByText(/replying to.*Lin Park/i).first().waitFor();
		await form.getByLabel(/name/i).fill('Tomas Vega');
		await form.getByRole('textbox', { name: /comment/i }).fill('Twenty is plenty, Lin. Start there.');
		await clickAndLoad(reader, form.getByRole('button', { name: /post|send|submit|comment|reply/i }));
		const row = await commentByAuthor(stack, 'Tomas Vega');
		assert(row.parent === stack.comments.lin, `the reply's parent is ${row.parent}, not ${stack.comments.lin}`);
		assert(row.status === 'pending', `the reply is stored ${row.status}`);
		const mine = commentItem(reader, 'Twenty is plenty');
		await mine.waitFor();
		assert(/awaiting moderation/i.test(await mine.innerText()), 'the reply is not marked awaiting moderation');
	});

	await runner.step('an invalid comment comes back with a message beside each bad field', async () => {
		const before = (await stack.sql('SELECT count(*) FROM comments'))[0][0];
		await reader.goto(stack.url(`/posts/${slug}`));
		const res = await submitInvalidComment(reader);
		assert(res.status() === 422, `the invalid comment answered ${res.status()}, expected 422`);
		const form = reader.locator('#comment-form');
		for (const [label, field] of [[/name/i, 'name'], [/website|url|link/i, 'website']]) {
			const message = await form.getByLabel(label).evaluate((el) => {
				const ids = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
				const described = ids.map((id) => document.getElementById(id))
					.filter((n) => n).map((n) => n.textContent.trim()).join(' ');
				return { described, invalid: el.getAttribute('aria-invalid') };
			});
			assert(message.described, `the ${field} field has no message tied to it (aria-describedby)`);
			assert(message.invalid === 'true', `the ${field} field is not marked aria-invalid="true"`);
			assert(await reader.getByText(message.described).first().isVisible(),
			       `the ${field} field's message is not visible`);
		}
		assert(await form.getByLabel(/website|url|link/i).inputValue() === 'ftp://example.org/file',
		       'the website field was not refilled');
		assert(await form.getByRole('textbox', { name: /comment/i }).inputValue() === 'This should come back with messages.',
		       'the comment was not refilled');
		const after = (await stack.sql('SELECT count(*) FROM comments'))[0][0];
		assert(after === before, `an invalid comment was stored (${before} -> ${after})`);
		await shoot(reader, 'post-errors');
		await shootPart(reader, form, 'comment-form-errors');
	});

	const adminContext = await newContext();
	const admin = await openPage(adminContext);

	await runner.step('the queue is closed to strangers', async () => {
		const res = await admin.goto(stack.url('/admin/'));
		assert(new URL(admin.url()).pathname.endsWith('/admin/login'), `GET /admin/ without a session led to ${admin.url()}`);
		assert(res.status() === 200, `the login page answered ${res.status()}`);
		await shoot(admin, 'admin-login');
	});

	await runner.step('a wrong password or user is refused with one generic message', async () => {
		const messages = [];
		for (const [user, password] of [[stack.admin.username, 'not the password'],
						 ['nobody-by-this-name', stack.admin.password]]) {
			await admin.getByLabel(/name|user/i).fill(user);
			await admin.getByLabel(/password/i).fill(password);
			const [res] = await Promise.all([
				admin.waitForResponse((r) => r.request().method() === 'POST'),
				admin.waitForEvent('load'),
				admin.getByRole('button', { name: /log in|sign in/i }).click(),
			]);
			assert(res.status() === 401, `a failed login (${user}) answered ${res.status()}`);
			assert(new URL(admin.url()).pathname.endsWith('/admin/login'), `a failed login led to ${admin.url()}`);
			const alert = admin.getByRole('alert');
			assert(await alert.count() === 1, `${await alert.count()} messages (role=alert) after a failed login, expected one`);
			messages.push(await alert.innerText());
		}
		assert(messages[0] === messages[1],
		       `a wrong password and a wrong user read differently: "${messages[0]}" / "${messages[1]}"`);
		await shoot(admin, 'admin-login-failed');
	});

	await runner.step('log in as admin and approve from the queue', async () => {
		await adminLogin(admin, stack);
		assert(new URL(admin.url()).pathname.endsWith('/admin/'), `logging in led to ${admin.url()}`);
		const item = commentItem(admin, 'Twenty minutes works for me');
		await item.waitFor();
		const text = await item.innerText();
		assert(text.includes('Mira Chen'), 'the queue item does not show the author');
		assert(text.includes('mira@example.net'), 'the queue item does not show the email');
		assert(text.includes(title), 'the queue item does not name the post');
		await shoot(admin, 'admin-queue');
		await shootDark(admin, 'admin-queue');
		await clickAndLoad(admin, item.getByRole('button', { name: /^approve/i }));
		assert(new URL(admin.url()).pathname.endsWith('/admin/'), `approving led to ${admin.url()}`);
		assert(await admin.getByText('Twenty minutes works for me').count() === 0, 'the approved comment is still in the queue');
		const row = await commentByAuthor(stack, 'Mira Chen');
		assert(row.status === 'approved', `the comment is ${row.status} after approving`);
		const audit = await stack.sql('SELECT user_name FROM audit WHERE comment_id = ?', [row.id]);
		assert(audit.length >= 1 && audit[audit.length - 1][0] === stack.admin.username,
		       `the approval is not in the audit log as ${stack.admin.username}: ${JSON.stringify(audit)}`);
	});

	await runner.step('a third visitor sees the approved comment', async () => {
		const third = await newContext();
		const page = await openPage(third);
		await page.goto(stack.url(`/posts/${slug}`));
		const item = commentItem(page, 'Twenty minutes works for me');
		await item.waitFor();
		assert(!/awaiting moderation/i.test(await item.innerText()), 'the approved comment is still marked awaiting moderation');
		assert(await page.getByText('mira@example.net').count() === 0, 'the email is shown publicly');
		await third.close();
	});

	await runner.step('bulk-reject from the queue', async () => {
		await admin.goto(stack.url('/admin/'));
		await bulk(admin, ['Sam Rivera', 'Noor Haddad'], 'reject');
		for (const name of ['Sam Rivera', 'Noor Haddad']) {
			const row = await commentByAuthor(stack, name);
			assert(row.status === 'rejected', `${name}'s comment is ${row.status} after bulk-reject`);
			// The feedback line names them ("Rejected Sam Rivera on ..."); the cards must not.
			assert(await admin.getByRole('status').getByText(new RegExp(`Rejected ${name}`)).count() === 1,
			       `the page does not say ${name} was rejected`);
			assert(await admin.getByRole('listitem').filter({ hasText: name }).count() === 0,
			       `${name} is still in the queue`);
		}
		const piet = await commentByAuthor(stack, 'Piet Janssen');
		assert(piet.status === 'pending', `an unticked comment changed to ${piet.status}`);
		await admin.getByText('Piet Janssen').first().waitFor();
	});

	await runner.step('comments by status and the audit log', async () => {
		await admin.goto(stack.url('/admin/comments?status=rejected'));
		await admin.getByText('Sam Rivera').first().waitFor();
		await admin.getByText('Off Topic').first().waitFor();
		await shoot(admin, 'admin-rejected');
		await admin.goto(stack.url('/admin/'));
		await clickAndLoad(admin, admin.getByRole('link', { name: /audit|history/i }).first());
		await admin.getByText(/reject/i).first().waitFor();
		await shoot(admin, 'admin-audit');
	});

	await runner.step('log out and find the queue closed', async () => {
		await admin.goto(stack.url('/admin/'));
		await clickAndLoad(admin, admin.getByRole('button', { name: /log ?out|sign out/i }));
		assert(new URL(admin.url()).pathname.endsWith('/admin/login'), `logging out led to ${admin.url()}`);
		await admin.goto(stack.url('/admin/'));
		assert(new URL(admin.url()).pathname.endsWith('/admin/login'), `after logout /admin/ led to ${admin.url()}`);
		const sessions = await stack.sql('SELECT count(*) FROM sessions');
		assert(sessions[0][0] === 0, `${sessions[0][0]} session(s) left in the database after logout`);
	});
	await adminContext.close();

	await runner.step('keyboard only: the comment form', async () => {
		const ctx = await newContext();
		const page = await openPage(ctx);
		await page.goto(stack.url(`/posts/${stack.posts.short}`));
		// The first Tab offers a way past the header, and it works.
		await page.keyboard.press('Tab');
		const first = await page.evaluate(() => document.activeElement.textContent.trim());
		assert(/skip/i.test(first), `the first Tab focuses "${first}", not a skip link`);
		assert(await focusVisible(page), 'the focused skip link shows no focus outline');
		await page.keyboard.press('Enter');
		assert(await page.evaluate(() => !!document.activeElement.closest('main')),
		       'the skip link does not move the focus into the main content');
		// Tab through the form in its own order, typing into the fields
		// a reader fills, until the submit button has the focus.
		await tabTo(page, 'the comment form', () => !!document.activeElement.closest('#comment-form'));
		const typed = { author: 'Kei Tanaka', comment: 'Typed without a mouse. The glue question interests me too.' };
		const filled = [];
		for (let i = 0; ; i++) {
			assert(i < 20, `Tab never reached the submit button (filled ${filled.join(', ')})`);
			const focus = await page.evaluate(() => {
				const el = document.activeElement;
				return { name: el.name || '', submit: el.type === 'submit', inForm: !!el.closest('#comment-form') };
			});
			assert(focus.inForm, `Tab left the comment form before its submit button (filled ${filled.join(', ')})`);
			if (focus.submit)
				break;
			if (typed[focus.name] !== undefined) {
				assert(await focusVisible(page), `the focused ${focus.name} field shows no focus outline`);
				await page.keyboard.type(typed[focus.name]);
				filled.push(focus.name);
			}
			await page.keyboard.press('Tab');
		}
		assert(filled.length === 2, `only ${filled.join(', ')} filled on the way to the submit button`);
		assert(await focusVisible(page), 'the focused submit button shows no focus outline');
		await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
		const row = await commentByAuthor(stack, 'Kei Tanaka');
		assert(row.status === 'pending', `the keyboard comment is stored ${row.status}`);
		await commentItem(page, 'Typed without a mouse').waitFor();
		await ctx.close();
	});

	await runner.step('keyboard only: log in, approve one, bulk-spam another', async () => {
		const ctx = await newContext();
		const page = await openPage(ctx);
		await page.goto(stack.url('/admin/login'));
		await tabTo(page, 'the user name field', () => document.activeElement.name === 'username');
		await page.keyboard.type(stack.admin.username);
		await tabTo(page, 'the password field', () => document.activeElement.name === 'password', null, 5);
		await page.keyboard.type(stack.admin.password);
		await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
		assert(new URL(page.url()).pathname.endsWith('/admin/'), `keyboard login led to ${page.url()}`);
		await tabTo(page, "the approve button of Piet Janssen's comment", () => {
			const el = document.activeElement;
			const item = el.closest('article, li, tr, .comment');
			return /^approve/i.test((el.getAttribute('aria-label') || el.textContent || '').trim()) &&
				item && item.textContent.includes('Piet Janssen');
		}, null, 200);
		assert(await focusVisible(page), 'the focused approve button shows no focus outline');
		await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
		const row = await commentByAuthor(stack, 'Piet Janssen');
		assert(row.status === 'approved', `Piet Janssen's comment is ${row.status} after Enter on approve`);

		// Bulk: tick one comment with Space, go back to the action list,
		// pick "spam" by typing, apply with Enter.
		await tabTo(page, "Kei Tanaka's checkbox", () => {
			const el = document.activeElement;
			const item = el.closest('article, li, tr, .comment');
			return el.type === 'checkbox' && item && item.textContent.includes('Kei Tanaka');
		}, null, 200);
		await page.keyboard.press('Space');
		await tabTo(page, 'the bulk action list', () => document.activeElement.tagName === 'SELECT', null, 200, 'Shift+Tab');
		await page.keyboard.type('spam');
		const chosen = await page.evaluate(() => document.activeElement.value);
		assert(/spam/i.test(chosen), `typing "spam" on the action list chose ${chosen}`);
		await tabTo(page, 'the apply button', () => {
			const el = document.activeElement;
			return el.tagName === 'BUTTON' && /selected|checked|apply/i.test(el.textContent);
		}, null, 5);
		await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
		const kei = await commentByAuthor(stack, 'Kei Tanaka');
		assert(kei.status === 'spam', `Kei Tanaka's comment is ${kei.status} after the keyboard bulk action`);
		const tomas = await commentByAuthor(stack, 'Tomas Vega');
		assert(tomas.status === 'pending', `an unticked comment became ${tomas.status}`);
		await ctx.close();
	});

	await readerContext.close();
});
