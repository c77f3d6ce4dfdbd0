import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { TextChangeView } from '#shared/http/pages/text-changes.js';
import { characterChanges } from '#shared/report/diff.js';

describe('a text part’s changes on a page', () => {
  it('shows an edited paragraph once, with the old number struck out and the new one marked as inserted', () => {
    const before = '本年共收到申请17件，结转下年度3件。';
    const after = '本年共收到申请17件，结转下年度2件。';
    const html = render(
      <TextChangeView
        change={{
          field: 'overview',
          heading: '一、总体情况',
          removed: [],
          added: [],
          edits: [{ before, after, parts: characterChanges(before, after) }],
        }}
      />,
    );
    expect(html).toContain('<del class="removed">3</del><ins class="added">2</ins>');
    expect(html.match(/本年共收到申请17件/g)).toHaveLength(1);
  });

  it('escapes what the officer wrote', () => {
    const html = render(
      <TextChangeView
        change={{ field: 'problems', heading: '五、存在的主要问题及改进情况', removed: ['<script>x</script>'], added: [], edits: [] }}
      />,
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script>');
  });
});
