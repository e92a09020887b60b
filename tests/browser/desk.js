// desk.js: the author's desk in Chromium, by label and role, at 1280 and 360 px: reply, edit, undo, trash, restore, find.
'use strict';

const { run, assert, openPage, shoot, shootDark, DESKTOP, PHONE } = require('./lib');
const { adminLogin } = require('./pages');

// Click a control and wait for the page it leads to (after any redirect).
async function clickAndLoad(page, locator) {
	const [response] = await Promise.all([
		page.waitForResponse((r) => r.request().resourceType() === 'document' &&
				     (r.status() < 300 || r.status() >= 400)),
		page.waitForEvent('load'),
		locator.click(),
	]);
	return response;
}

async function statusOf(stack, id) {
	const rows = await stack.sql('SELECT status FROM comments WHERE id = ?', [id]);
	return rows.length ? rows[0][0] : null;
}

// The card of the comment by who (its heading names the author).
function card(page, who) {
	return page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: new RegExp(`^${who}`) }) }).first();
}

// The status line that says what was done.
function feedback(page) {
	return page.getByRole('status');
}

run('desk', 200, async ({ browser, stack, runner }) => {
	const ids = stack.comments;
	for (const [label, viewport] of [['1280', DESKTOP], ['360', PHONE]]) {
		const context = await browser.newContext({ viewport });
		const admin = await openPage(context);
		const suffix = label === '1280' ? '' : '-phone-flow';
		await adminLogin(admin, stack);

		// Each width works on its own comment of the queue.
		const target = label === '1280' ? ids.pending0 : ids.pending1;
		const who = label === '1280' ? 'Sam Rivera' : 'Noor Haddad';

		await runner.step(`${label}: open a comment from the queue and reply as the author`, async () => {
			await admin.goto(stack.url('/admin/'));
			await clickAndLoad(admin, card(admin, who).getByRole('link', { name: new RegExp(`^Reply or edit comment ${target}`) }));
			assert(new URL(admin.url()).pathname.endsWith(`/admin/comments/${target}`), `the card led to ${admin.url()}`);
			await admin.getByRole('heading', { name: `Comment by ${who}` }).waitFor();
			await admin.getByLabel(/Your reply/).fill(`Thanks, ${who}: let it dry for *five* minutes.`);
			await clickAndLoad(admin, admin.getByRole('button', { name: 'Publish reply' }));
			const said = await feedback(admin).innerText();
			assert(said.includes(`Replied to ${who}`), `the page said: ${said}`);
			assert(await statusOf(stack, target) === 'approved', 'answering did not approve the pending comment');
			const site = await context.newPage();
			await site.goto(stack.url(`/posts/${stack.posts.short}`));
			const mine = site.locator('.comment-by-author', { hasText: 'let it dry for five minutes' });
			assert(await mine.count() === 1, `the reply is not on the site with the author mark (${await mine.count()}): ${(await site.content()).slice(-6000)}`);
			assert(await mine.getByText('Author', { exact: true }).count() === 1, 'no visible Author mark');
			await site.close();
			await shoot(admin, `desk-comment${suffix}`);
			if (label === '1280')
				await shootDark(admin, 'desk-comment');
		});

		await runner.step(`${label}: undo the reply and the approval`, async () => {
			await clickAndLoad(admin, feedback(admin).getByRole('button', { name: 'Undo' }));
			assert(await statusOf(stack, target) === 'pending', 'Undo did not put the comment back in the queue');
			const rows = await stack.sql('SELECT status FROM comments WHERE parent_id = ? AND by_author = 1', [target]);
			assert(rows.length === 1 && rows[0][0] === 'trash', `the undone reply is ${JSON.stringify(rows)}`);
		});

		await runner.step(`${label}: edit a comment's text`, async () => {
			await admin.goto(stack.url(`/admin/comments/${target}`));
			const text = admin.getByLabel('Text (Markdown)');
			await text.fill('Edited: does the glue need to dry?');
			await clickAndLoad(admin, admin.getByRole('button', { name: 'Save changes' }));
			assert((await feedback(admin).innerText()).includes('Edited the comment of'), 'no feedback after the edit');
			const rows = await stack.sql("SELECT detail FROM audit WHERE action = 'edit' AND comment_id = ?", [target]);
			assert(rows.length === 1 && rows[0][0].includes('Pending comment number'), 'the old text is not in the audit log');
			await admin.getByText('Edited: does the glue need to dry?').first().waitFor();
		});

		await runner.step(`${label}: delete to trash, then restore`, async () => {
			await admin.goto(stack.url('/admin/'));
			await clickAndLoad(admin, card(admin, who).getByRole('button', { name: /^Delete/ }));
			assert(await statusOf(stack, target) === 'trash', 'Delete did not move the comment to trash');
			assert((await feedback(admin).innerText()).includes('Moved to trash'), 'no feedback after Delete');
			await admin.getByRole('navigation', { name: 'Moderation' }).getByRole('link', { name: /^Trash/ }).click();
			await admin.waitForLoadState('load');
			await clickAndLoad(admin, card(admin, who).getByRole('button', { name: /^Restore/ }));
			assert(await statusOf(stack, target) === 'pending', 'Restore did not bring the comment back to the queue');
			if (label === '1280')
				await shoot(admin, 'desk-trash');
		});

		await runner.step(`${label}: find comments by words`, async () => {
			await admin.goto(stack.url('/admin/'));
			// Folded on the queue so the first card stays in view on a phone.
			await admin.getByText('Find comments', { exact: true }).click();
			const search = admin.getByRole('search', { name: 'Find comments' });
			await search.getByLabel('Words in the text or name').fill('glue');
			await search.getByLabel('Status').selectOption('all');
			await clickAndLoad(admin, search.getByRole('button', { name: 'Find' }));
			assert(await admin.getByRole('heading', { name: 'Find comments' }).count() === 1, 'no results heading');
			assert(await card(admin, 'Piet Janssen').count() === 1, 'a comment with the word is missing');
			assert(await card(admin, 'Cheap Watches').count() === 0, 'a comment without the word was found');
			await shoot(admin, `desk-find${suffix}`);
		});
		await context.close();
	}

	await runner.step('the queue after an action: feedback, Undo and the next card in view', async () => {
		const context = await browser.newContext({ viewport: PHONE });
		const admin = await openPage(context);
		await adminLogin(admin, stack);
		await admin.goto(stack.url('/admin/'));
		await clickAndLoad(admin, card(admin, 'Piet Janssen').getByRole('button', { name: /^Approve/ }));
		await feedback(admin).getByRole('button', { name: 'Undo' }).waitFor();
		await shoot(admin, 'desk-queue-done');
		await clickAndLoad(admin, feedback(admin).getByRole('button', { name: 'Undo' }));
		assert(await statusOf(stack, ids.pending2) === 'pending', 'Undo from the queue did not work');
		await context.close();
	});
});
