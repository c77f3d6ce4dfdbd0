/// <reference lib="dom" />
import { chainOfRows, editorProblems, stepProblemsId, type StepRow } from '../shared/http/pages/chain-editor-model.js';
import type { Chain } from '../shared/workflow/review-chain.js';
import { StepKindSchema } from '../shared/workflow/review-chain.js';

/**
 * The review-chain editor in the browser (shared/http/pages/chain-editor.tsx renders it): add, remove and move steps,
 * keep the numbers and the buttons' spoken names right, re-check the chain on every change and show each problem at
 * its step. Focus stays where the person is working; a polite live region says what a button did.
 */

const rowsOf = (editor: HTMLElement): HTMLLIElement[] => Array.from(editor.querySelectorAll<HTMLLIElement>('[data-chain-steps] > li'));

function fieldOf(item: HTMLElement, name: string): HTMLInputElement | HTMLSelectElement | undefined {
  const found = item.querySelector(`[data-field="${name}"]`);
  return found instanceof HTMLInputElement || found instanceof HTMLSelectElement ? found : undefined;
}

function rowOf(item: HTMLLIElement): StepRow {
  const kind = StepKindSchema.safeParse(fieldOf(item, 'kind')?.value);
  const confidentiality = fieldOf(item, 'confidentiality');
  return {
    id: item.dataset['stepId'] ?? '',
    label: fieldOf(item, 'label')?.value ?? '',
    kind: kind.success ? kind.data : 'review',
    role: fieldOf(item, 'role')?.value ?? '',
    confidentiality: confidentiality instanceof HTMLInputElement && confidentiality.checked,
  };
}

function fillList(list: Element | null, messages: readonly string[]): void {
  if (!list) return;
  list.replaceChildren(
    ...messages.map((message) => {
      const li = document.createElement('li');
      li.textContent = message;
      return li;
    }),
  );
}

/** Shows every problem at its place; the number of problems. */
export function checkChain(editor: HTMLElement): number {
  const items = rowsOf(editor);
  const problems = editorProblems(items.map(rowOf));
  items.forEach((item, i) => {
    const messages = problems.byStep[i] ?? [];
    fillList(item.querySelector('[data-step-problems]'), messages);
    for (const field of item.querySelectorAll('[data-field="label"], [data-field="role"]'))
      field.setAttribute('aria-invalid', String(messages.length > 0));
  });
  fillList(editor.querySelector('[data-chain-general]'), problems.general);
  return problems.count;
}

export const chainOf = (editor: HTMLElement): Chain => chainOfRows(rowsOf(editor).map(rowOf));

/** The first field of the first step with a problem (or the add button, for a problem of the whole chain). */
export function firstProblem(editor: HTMLElement): HTMLElement | undefined {
  const item = rowsOf(editor).find((li) => li.querySelector('[data-step-problems] li'));
  return (item && fieldOf(item, 'label')) ?? editor.querySelector<HTMLElement>('[data-chain-add]') ?? undefined;
}

/** Numbers, and the problem lists' ids the step's fields are described by, follow the steps' order. */
function renumber(editor: HTMLElement): void {
  rowsOf(editor).forEach((item, i) => {
    for (const number of item.querySelectorAll('[data-step-number]')) number.textContent = `第 ${i + 1} 步`;
    const id = stepProblemsId(editor.id, i);
    item.querySelector('[data-step-problems]')?.setAttribute('id', id);
    for (const field of item.querySelectorAll('[data-field="label"], [data-field="role"]')) field.setAttribute('aria-describedby', id);
  });
}

function announce(editor: HTMLElement, text: string): void {
  const status = editor.querySelector('[data-chain-status]');
  if (status) status.textContent = text;
}

const labelOf = (item: HTMLLIElement, index: number): string => rowOf(item).label.trim() || `第 ${index + 1} 步`;

function changed(editor: HTMLElement, message: string): void {
  renumber(editor);
  checkChain(editor);
  announce(editor, message);
}

function addStep(editor: HTMLElement): void {
  const template = editor.querySelector('template[data-chain-template]');
  const list = editor.querySelector('[data-chain-steps]');
  if (!(template instanceof HTMLTemplateElement) || !list) return;
  const item = template.content.firstElementChild?.cloneNode(true);
  if (!(item instanceof HTMLLIElement)) return;
  // a new step goes before the sign step when the chain ends with one: where a 会签 or 审核 belongs
  const items = rowsOf(editor);
  const last = items.at(-1);
  if (last && rowOf(last).kind === 'sign') list.insertBefore(item, last);
  else list.append(item);
  changed(editor, `已添加第 ${rowsOf(editor).indexOf(item) + 1} 步。`);
  fieldOf(item, 'label')?.focus();
}

function move(editor: HTMLElement, item: HTMLLIElement, direction: 'up' | 'down', button: HTMLButtonElement): void {
  const list = item.parentElement;
  const sibling = direction === 'up' ? item.previousElementSibling : item.nextElementSibling;
  const index = rowsOf(editor).indexOf(item);
  if (!list || !(sibling instanceof HTMLLIElement)) {
    announce(editor, `“${labelOf(item, index)}”已是${direction === 'up' ? '第一' : '最后一'}步。`);
    return;
  }
  if (direction === 'up') list.insertBefore(item, sibling);
  else list.insertBefore(sibling, item);
  changed(editor, `已将“${labelOf(item, index)}”移到第 ${rowsOf(editor).indexOf(item) + 1} 步。`);
  button.focus();
}

function remove(editor: HTMLElement, item: HTMLLIElement): void {
  const items = rowsOf(editor);
  const index = items.indexOf(item);
  const label = labelOf(item, index);
  const next = items[index + 1] ?? items[index - 1];
  item.remove();
  changed(editor, `已删除“${label}”，还有 ${rowsOf(editor).length} 步。`);
  (next ? fieldOf(next, 'label') : editor.querySelector<HTMLElement>('[data-chain-add]'))?.focus();
}

export function enhanceChainEditor(editor: HTMLElement): void {
  editor.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('button') : null;
    if (!target) return;
    if (target.hasAttribute('data-chain-add')) return addStep(editor);
    const item = target.closest('li.chain-step');
    if (!(item instanceof HTMLLIElement)) return;
    const direction = target.dataset['chainMove'];
    if (direction === 'up' || direction === 'down') move(editor, item, direction, target);
    else if (target.hasAttribute('data-chain-remove')) remove(editor, item);
  });
  editor.addEventListener('input', () => checkChain(editor));
  editor.addEventListener('change', () => checkChain(editor));
}
