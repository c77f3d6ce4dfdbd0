import { it } from 'vitest';
import { startWorld, personContext, signInThroughPage, screenshot, publishByApi, report2019, OFFICER } from './support.js';

it('explore', async () => {
  const world = await startWorld();
  try {
    await publishByApi(world, report2019());
    const { page, problems } = await personContext(world);
    await signInThroughPage(world, page, OFFICER);
    await screenshot(page, 'x-home');
    await page.getByRole('button', { name: '开始填报' }).click();
    await page.waitForURL(/drafts/);
    await page.waitForTimeout(500);
    await screenshot(page, 'x-form');
    console.log(problems);
  } finally { await world.stop(); }
}, 120000);
