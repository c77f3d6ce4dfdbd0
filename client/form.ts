/// <reference lib="dom" />
// first: before any schema is defined
import './zod-jitless.js';
import {
  cellNote,
  draftApiPath,
  findingTargetId,
  messageElementId,
  parseInput,
  reportPagePath,
  setAt,
  type FormContext,
  type InputKind,
} from '../shared/http/pages/form-model.js';
import { checkReport } from '../shared/report/checks.js';
import type { CheckResult, Finding } from '../shared/report/findings.js';
import { countChars } from '../shared/report/narrative-rules.js';
import { findingKey, NOTE_MAX, type AcknowledgementsInput } from '../shared/workflow/acknowledgements.js';
import { apiError, callApi, element, field } from './http.js';

/**
 * The report form in the browser (shared/http/pages/form-page.tsx renders it). As the officer types: the same
 * checkReport the server runs, each finding shown at its cell (aria-invalid, the message linked by aria-describedby)
 * and listed with links; the draft saved to the server a moment after typing stops, with its revision so two windows
 * cannot overwrite each other; submission only once no error remains.
 */

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

const SAVE_DELAY_MS = 1200;
const RETRY_DELAY_MS = 10_000;

const clock = (): string => {
  const now = new Date();
  return `${String(now.getHours()).padStart(2, '0')}:${String(now.getMinutes()).padStart(2, '0')}`;
};

function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: { className?: string; text?: string } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className !== undefined) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  node.append(...children);
  return node;
}

/** A finding's line: its code kept for programs in data-code, never shown to people. */
function coded(code: string, ...children: Node[]): HTMLLIElement {
  const item = make('li', {}, ...children);
  item.dataset['code'] = code;
  return item;
}

function isField(target: EventTarget | null): target is Field {
  return (
    (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) &&
    target.dataset['path'] !== undefined
  );
}

class ReportForm {
  private readonly context: FormContext;
  private readonly report: Record<string, unknown>;
  private readonly fields: Field[];
  private result: CheckResult = { valid: false, errors: [], warnings: [] };
  /** what each message element last showed, so a keystroke only touches the cells whose findings changed */
  private readonly shown = new Map<string, string>();
  private checkQueued = false;
  // autosave
  private revision: number | null;
  private savedJson: string;
  private saving = false;
  private conflict = false;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private submitting = false;
  private leaving = false;
  /** the officer's answer to each warning, by finding key: kept while the warning stays, whatever else is typed */
  private readonly answers = new Map<string, { checked: boolean; note: string }>();
  /** the warnings the list last showed, so typing elsewhere does not rebuild it under the officer's cursor */
  private shownWarnings = '';

  constructor(private readonly form: HTMLFormElement) {
    this.context = JSON.parse(form.dataset['context'] ?? '{}') as FormContext;
    this.report = structuredClone(this.context.report);
    this.revision = this.context.draftRevision;
    this.fields = [...form.querySelectorAll<Field>('input[data-path], textarea[data-path], select[data-path]')];
    // The browser may have restored what was typed before a reload: the inputs are the truth.
    for (const input of this.fields) this.apply(input);
    this.savedJson = JSON.stringify(this.context.report);
    form.addEventListener('input', (event) => this.changed(event.target));
    form.addEventListener('change', (event) => this.changed(event.target));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    form.addEventListener('keydown', (event) => this.keydown(event));
    document.addEventListener('click', (event) => this.followLink(event));
    window.addEventListener('beforeunload', (event) => {
      if (!this.leaving && (this.dirty() || this.saving)) event.preventDefault();
    });
    this.check();
    if (this.dirty()) this.scheduleSave(0);
  }

  private dirty(): boolean {
    return JSON.stringify(this.report) !== this.savedJson;
  }

  private apply(input: Field): void {
    const path = input.dataset['path'] ?? '';
    const kind = (input.dataset['kind'] ?? 'text') as InputKind;
    const value = parseInput(kind, input.value);
    setAt(this.report, path.split('.'), value);
    if (kind === 'text') this.countText(path, input.value, input.dataset['advisoryMax']);
  }

  private countText(field: string, text: string, advisoryMax: string | undefined): void {
    const counter = this.form.querySelector(`[data-count-for="${CSS.escape(field)}"]`);
    if (!counter) return;
    const count = countChars(text);
    counter.textContent = String(count);
    const limit = advisoryMax === undefined ? undefined : Number(advisoryMax);
    counter.parentElement?.classList.toggle('over', limit !== undefined && count > limit);
  }

  private changed(target: EventTarget | null): void {
    if (!isField(target)) return;
    this.apply(target);
    if (!this.checkQueued) {
      this.checkQueued = true;
      requestAnimationFrame(() => {
        this.checkQueued = false;
        this.check();
      });
    }
    if (!this.conflict) {
      this.status('有未保存的修改', 'pending');
      this.scheduleSave(SAVE_DELAY_MS);
    }
  }

  // ---- checking ----------------------------------------------------------------------------------------------------

  private check(): void {
    this.result = checkReport(
      this.report,
      this.context.previous === null || this.context.previous === undefined ? {} : { previous: this.context.previous },
    );
    this.render();
  }

  private render(): void {
    const byPath = new Map<string, { errors: Finding[]; warnings: Finding[] }>();
    const entry = (path: string) => {
      let found = byPath.get(path);
      if (!found) {
        found = { errors: [], warnings: [] };
        byPath.set(path, found);
      }
      return found;
    };
    for (const finding of this.result.errors) entry(finding.path).errors.push(finding);
    for (const finding of this.result.warnings) entry(finding.path).warnings.push(finding);

    for (const input of this.fields) {
      const path = input.dataset['path'] ?? '';
      const findings = byPath.get(path) ?? { errors: [], warnings: [] };
      this.mark(input, path, findings.errors, findings.warnings);
    }
    this.renderLists();
    const button = element('submit-report', HTMLButtonElement);
    if (button && !this.submitting) button.disabled = this.result.errors.length > 0;
  }

  /** One input's state: invalid or not, and the note in its message element (short, visible) with the full messages (for screen readers). */
  private mark(input: Field, path: string, errors: readonly Finding[], warnings: readonly Finding[]): void {
    const message = document.getElementById(messageElementId(path));
    const onlyBlank = errors.length > 0 && errors.every((finding) => finding.code === 'R5');
    const signature = `${errors.map((finding) => finding.message).join('|')}#${warnings.map((finding) => finding.message).join('|')}`;
    if (this.shown.get(path) === signature) return;
    this.shown.set(path, signature);
    if (errors.length > 0) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    input.classList.toggle('blank', onlyBlank);
    input.classList.toggle('warned', errors.length === 0 && warnings.length > 0);
    if (!message) return;
    message.replaceChildren();
    const findings = [...errors, ...warnings];
    if (findings.length === 0) {
      message.className = message.classList.contains('field-msg') ? 'field-msg' : 'cell-msg';
      return;
    }
    const isText = input instanceof HTMLTextAreaElement;
    if (isText) {
      message.className = 'field-msg';
      message.textContent = findings.map((finding) => finding.message).join(' ');
      return;
    }
    message.className = `cell-msg ${errors.length === 0 ? 'warn' : onlyBlank ? 'blank' : 'error'}`;
    // a blank cell is marked by its style (a fresh form would otherwise say 未填写 in every cell); its message is read out
    if (!onlyBlank) message.append(make('span', { text: [...new Set(findings.map(cellNote))].join('；') }));
    message.append(
      make('span', {
        className: 'visually-hidden',
        text: `${onlyBlank ? '' : '：'}${findings.map((finding) => finding.message).join(' ')}`,
      }),
    );
  }

  private link(finding: Finding, text: string): HTMLElement {
    const target = findingTargetId(finding.path);
    if (target === undefined || !document.getElementById(target)) return make('span', { text });
    const anchor = make('a', { text });
    anchor.href = `#${target}`;
    anchor.dataset['focus'] = target;
    return anchor;
  }

  private renderLists(): void {
    const { errors, warnings } = this.result;
    const blanks = errors.filter((finding) => finding.code === 'R5');
    const others = errors.filter((finding) => finding.code !== 'R5');
    const summary = document.getElementById('findings-summary');
    if (summary) {
      summary.textContent =
        errors.length === 0
          ? warnings.length === 0
            ? '检查通过：各表勾稽关系平衡，可以提交。'
            : `没有错误，可以提交；有 ${warnings.length} 条提示，请核对。`
          : `还有 ${errors.length} 处错误${blanks.length > 0 ? `（其中 ${blanks.length} 格未填写）` : ''}，改正后才能提交${warnings.length > 0 ? `；另有 ${warnings.length} 条提示` : ''}。`;
    }
    const count = document.getElementById('error-count');
    if (count)
      count.textContent =
        errors.length === 0
          ? warnings.length === 0
            ? '检查通过'
            : `${warnings.length} 条提示`
          : `${errors.length} 处错误${warnings.length > 0 ? ` · ${warnings.length} 条提示` : ''}`;

    const errorList = document.getElementById('error-list');
    if (errorList) {
      errorList.replaceChildren();
      if (errors.length > 0) {
        const list = make('ul');
        for (const finding of others) list.append(coded(finding.code, this.link(finding, finding.message)));
        // blank cells, one line per table with a link to its first one
        const byTable = new Map<string, Finding[]>();
        for (const finding of blanks) {
          const table = document.getElementById(findingTargetId(finding.path) ?? '')?.dataset['table'] ?? '';
          byTable.set(table, [...(byTable.get(table) ?? []), finding]);
        }
        for (const [, findings] of byTable) {
          const first = findings[0];
          if (!first) continue;
          const where = [first.rowLabel, first.columnLabel].filter((label) => label !== undefined && label !== '').join(' ');
          list.append(coded('R5', this.link(first, `${findings.length} 格未填写（第一格：${where || first.path}）。没有数据请填 0。`)));
        }
        errorList.append(make('h3', { text: `需要改正（${errors.length}）` }), list);
      }
    }
    this.renderWarnings(warnings);
  }

  private answerOf(key: string): { checked: boolean; note: string } {
    let answer = this.answers.get(key);
    if (!answer) {
      answer = { checked: false, note: '' };
      this.answers.set(key, answer);
    }
    return answer;
  }

  /** Each warning with a box to tick as checked and a note to explain it: one of the two before submitting. */
  private renderWarnings(warnings: readonly Finding[]): void {
    const warningList = document.getElementById('warning-list');
    const signature = warnings.map((finding) => `${findingKey(finding)}:${finding.message}`).join('|');
    if (!warningList || signature === this.shownWarnings) return;
    this.shownWarnings = signature;
    warningList.replaceChildren();
    if (warnings.length === 0) return;
    const list = make('ul', { className: 'acknowledgements' });
    warnings.forEach((finding, index) => {
      const answer = this.answerOf(findingKey(finding));
      const box = make('input');
      box.type = 'checkbox';
      box.id = `ack-${index}`;
      box.className = 'ack-check';
      box.checked = answer.checked;
      box.addEventListener('change', () => {
        answer.checked = box.checked;
      });
      const note = make('input');
      note.type = 'text';
      note.id = `ack-note-${index}`;
      note.className = 'ack-note';
      note.maxLength = NOTE_MAX;
      note.value = answer.note;
      note.addEventListener('input', () => {
        answer.note = note.value;
      });
      const boxLabel = make('label', { text: '已核对' });
      boxLabel.htmlFor = box.id;
      const noteLabel = make('label', { text: '说明（可选，审核人和签发人会看到）' });
      noteLabel.htmlFor = note.id;
      const item = coded(
        finding.code,
        this.link(finding, finding.message),
        make('span', { className: 'ack' }, box, boxLabel),
        make('span', { className: 'ack' }, noteLabel, note),
      );
      item.dataset['key'] = findingKey(finding);
      list.append(item);
    });
    warningList.append(
      make('h3', { text: `提示（${warnings.length}）：不阻止提交，但须逐条勾选“已核对”或写明说明，审核人也会看到` }),
      list,
    );
  }

  /** The answers to the warnings now shown, as the submission sends them; undefined while one is unanswered. */
  private acknowledgements(): AcknowledgementsInput | undefined {
    const answers: AcknowledgementsInput = {};
    for (const finding of this.result.warnings) {
      const key = findingKey(finding);
      const answer = this.answerOf(key);
      if (!answer.checked && answer.note.trim() === '') return undefined;
      answers[key] = { checked: answer.checked, ...(answer.note.trim() === '' ? {} : { note: answer.note.trim() }) };
    }
    return answers;
  }

  /** A link to a cell moves the focus there, not just the view. */
  private followLink(event: MouseEvent): void {
    const anchor = event.target instanceof Element ? event.target.closest('a[data-focus]') : null;
    if (!(anchor instanceof HTMLAnchorElement)) return;
    const target = document.getElementById(anchor.dataset['focus'] ?? '');
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
  }

  /** Enter in a cell submits once nothing is wrong; until then it takes the officer to what is. */
  private keydown(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.isComposing || !(event.target instanceof HTMLInputElement)) return;
    event.preventDefault();
    if (this.result.errors.length === 0) {
      this.form.requestSubmit();
      return;
    }
    this.showFindings();
  }

  private showFindings(): void {
    const findings = document.getElementById('findings');
    findings?.scrollIntoView({ block: 'start' });
    findings?.focus({ preventScroll: true });
  }

  // ---- saving ------------------------------------------------------------------------------------------------------

  private status(text: string, state: 'pending' | 'saving' | 'saved' | 'conflict' | 'failed'): void {
    const status = document.getElementById('save-status');
    if (!status) return;
    status.textContent = text;
    status.className = `save-status ${state}`;
  }

  private scheduleSave(delay: number): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.save(), delay);
  }

  private async save(): Promise<void> {
    if (this.saving || this.conflict) return;
    const json = JSON.stringify(this.report);
    if (json === this.savedJson) {
      this.status(`已保存 ${clock()}`, 'saved');
      return;
    }
    this.saving = true;
    this.status('保存中…', 'saving');
    try {
      const answer = await callApi('PUT', draftApiPath(this.context.agency.id, this.context.year), {
        content: JSON.parse(json) as unknown,
        ...(this.revision === null ? {} : { revision: this.revision }),
      });
      if (answer.status === 200) {
        const revision = field(answer.body, 'revision');
        if (typeof revision === 'number') this.revision = revision;
        this.savedJson = json;
        this.status(`已保存 ${clock()}`, 'saved');
        if (this.dirty()) this.scheduleSave(SAVE_DELAY_MS);
        return;
      }
      const error = apiError(answer);
      if (answer.status === 409) {
        this.conflict = true;
        this.status('草稿已在别处更新（另一个窗口或另一位信息员），本页的修改尚未保存。', 'conflict');
        this.conflictActions(error.details);
        return;
      }
      if (answer.status === 401) {
        this.status('登录已过期，修改尚未保存：请在新窗口登录后回到本页继续。', 'failed');
        this.scheduleSave(RETRY_DELAY_MS);
        return;
      }
      this.status(`保存失败：${error.message}（稍后自动重试）`, 'failed');
      this.scheduleSave(RETRY_DELAY_MS);
    } catch {
      this.status('保存失败：网络不通（稍后自动重试）', 'failed');
      this.scheduleSave(RETRY_DELAY_MS);
    } finally {
      this.saving = false;
    }
  }

  private conflictActions(details: Record<string, unknown>): void {
    const holder = document.getElementById('conflict-actions');
    if (!holder) return;
    const reload = make('button', { text: '载入最新草稿（放弃本页修改）' });
    reload.type = 'button';
    reload.addEventListener('click', () => {
      this.leaving = true;
      window.location.reload();
    });
    const overwrite = make('button', { text: '用本页内容覆盖' });
    overwrite.type = 'button';
    overwrite.addEventListener('click', () => {
      const revision = details['revision'];
      this.revision = typeof revision === 'number' ? revision : null;
      this.conflict = false;
      holder.replaceChildren();
      void this.save();
    });
    holder.replaceChildren(reload, overwrite);
    reload.focus();
  }

  // ---- submitting --------------------------------------------------------------------------------------------------

  private submitError(text: string, link?: { href: string; text: string }): void {
    const box = element('submit-error', HTMLParagraphElement);
    if (!box) return;
    box.replaceChildren(document.createTextNode(text));
    if (link) {
      const anchor = make('a', { text: link.text });
      anchor.href = link.href;
      box.append(' ', anchor);
    }
    box.hidden = false;
    box.scrollIntoView({ block: 'center' });
  }

  private async submit(): Promise<void> {
    if (this.submitting) return;
    if (this.result.errors.length > 0) {
      this.showFindings();
      return;
    }
    const acknowledgements = this.acknowledgements();
    if (acknowledgements === undefined) {
      this.submitError('请逐条确认系统提示：勾选“已核对”或写明说明后再提交。');
      const open = this.result.warnings.find((finding) => {
        const answer = this.answerOf(findingKey(finding));
        return !answer.checked && answer.note.trim() === '';
      });
      if (open)
        this.form.querySelector<HTMLInputElement>(`#warning-list li[data-key="${CSS.escape(findingKey(open))}"] .ack-check`)?.focus();
      return;
    }
    const button = element('submit-report', HTMLButtonElement);
    const label = button?.textContent ?? '';
    this.submitting = true;
    if (button) {
      button.disabled = true;
      button.textContent = '提交中…';
    }
    const box = element('submit-error', HTMLParagraphElement);
    if (box) box.hidden = true;
    try {
      const resubmit = this.context.mode === 'resubmit' && this.context.reportId !== null;
      const body = { report: this.report, acknowledgements };
      const answer = resubmit
        ? await callApi('PUT', `/api/reports/${encodeURIComponent(this.context.reportId ?? '')}`, body)
        : await callApi('POST', '/api/reports', body);
      if (answer.status === 200 || answer.status === 201) {
        const id = field(answer.body, 'id');
        this.leaving = true;
        window.location.assign(reportPagePath(typeof id === 'string' ? id : (this.context.reportId ?? '')));
        return;
      }
      const error = apiError(answer);
      if (answer.status === 400 && Array.isArray(field(answer.body, 'errors'))) {
        // the server's verdict (it read last year's report as it is now): shown like the form's own
        this.result = {
          valid: false,
          errors: field(answer.body, 'errors') as Finding[],
          warnings: (field(answer.body, 'warnings') as Finding[] | undefined) ?? [],
        };
        this.shown.clear();
        this.render();
        this.submitError(`服务器检查未通过：${error.message}`);
      } else if (answer.status === 409) {
        const id = field(error.details, 'id');
        this.submitError(error.message, typeof id === 'string' ? { href: reportPagePath(id), text: '查看该报告的进度' } : undefined);
      } else if (answer.status === 401) {
        this.submitError('登录已过期：请在新窗口登录后回到本页再提交（草稿已保存的内容不会丢失）。', { href: '/login', text: '登录' });
      } else {
        this.submitError(error.message);
      }
    } catch {
      this.submitError('网络不通，提交未成功，请稍后重试。');
    } finally {
      this.submitting = false;
      if (button && !this.leaving) {
        button.textContent = label;
        button.disabled = this.result.errors.length > 0;
      }
    }
  }
}

const form = document.getElementById('report-form');
if (form instanceof HTMLFormElement) new ReportForm(form);
