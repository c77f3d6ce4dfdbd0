import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { OutboxFileSchema, OutboxMailer } from '../../../../shared/mail/outbox-mailer.js';

/**
 * rename, the commit point of a write, made slow and uneven so overlapping writes would finish out of order. The unit
 * files share one module registry, so it is reset first: the mailer is then loaded afresh, over the mocked rename.
 */
const renames = vi.hoisted(() => {
  vi.resetModules();
  return { active: 0, maxActive: 0, count: 0 };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      renames.active += 1;
      renames.count += 1;
      renames.maxActive = Math.max(renames.maxActive, renames.active);
      await new Promise((resolve) => setTimeout(resolve, (renames.count * 7) % 5));
      try {
        await actual.rename(from, to);
      } finally {
        renames.active -= 1;
      }
    },
  };
});

describe('OutboxMailer writing its file', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nianbao-outbox-'));
    Object.assign(renames, { active: 0, maxActive: 0, count: 0 });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one at a time, folds waiting sends into one write, and ends with every message on disk', async () => {
    const file = join(dir, 'outbox.json');
    let now = Date.parse('2021-01-10T08:00:00Z');
    const outbox = new OutboxMailer({
      file,
      clock: {
        now: () => {
          now += 1000;
          return new Date(now);
        },
      },
    });

    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        outbox.send({ to: `u${i}@kw.example.cn`, subject: `主题 ${i}`, text: `https://x.example.cn/${i}`, html: '<p></p>' }),
      ),
    );

    expect(renames.maxActive).toBe(1);
    expect(renames.count).toBeLessThan(50);
    const stored = OutboxFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(stored.map((entry) => entry.subject)).toEqual(Array.from({ length: 50 }, (_, i) => `主题 ${i}`));
  });
});
