import type { TextChange } from '../../report/diff.js';

/**
 * One text part's changes between two versions: paragraphs edited in place shown character by character (what was
 * taken out struck through, what was put in underlined, as <del>/<ins> so a screen reader says which), then whole
 * paragraphs removed and added.
 */
export function TextChangeView({ change }: { change: TextChange }) {
  return (
    <div>
      <h3>{change.heading}</h3>
      {change.edits.map((edit, index) => (
        <p key={`e${index}`} class="edited">
          修改：
          {edit.parts.map((part, at) =>
            part.op === 'removed' ? (
              <del key={at} class="removed">
                {part.text}
              </del>
            ) : part.op === 'added' ? (
              <ins key={at} class="added">
                {part.text}
              </ins>
            ) : (
              <span key={at}>{part.text}</span>
            ),
          )}
        </p>
      ))}
      {change.removed.map((text, index) => (
        <p key={`r${index}`} class="removed">
          删除：{text}
        </p>
      ))}
      {change.added.map((text, index) => (
        <p key={`a${index}`} class="added">
          新增：{text}
        </p>
      ))}
    </div>
  );
}
