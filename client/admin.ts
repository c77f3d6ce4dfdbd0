/// <reference lib="dom" />
import './zod-jitless.js';
import { chainOf, checkChain, enhanceChainEditor, firstProblem } from './chain-editor.js';
import { apiError, callApi, field, sendApi, type ApiAnswer, type ApiMethod } from './http.js';

/**
 * The administration page's forms call the JSON routes: each form names its method and route (data-api-method,
 * data-api-url); its named fields become the JSON body (`roles` and `agencyIds` split at commas, `year` a number), an
 * agency's chain comes from its step editor (checked first: a chain with problems is not sent), a file field is sent as
 * text/csv, and the button named `preview` asks for a preview. The answer is shown in the form's <output>; a saved
 * change reloads the page.
 */

const list = (value: string): string[] =>
  value
    .split(/[,，、\s]+/u)
    .map((part) => part.trim())
    .filter((part) => part !== '');

const METHODS: readonly ApiMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];
const methodOf = (form: HTMLFormElement): ApiMethod => METHODS.find((method) => method === form.dataset['apiMethod']) ?? 'POST';

function jsonBody(form: HTMLFormElement): Record<string, unknown> | string {
  const body: Record<string, unknown> = {};
  const editor = form.querySelector<HTMLElement>('[data-chain-editor]');
  if (editor) {
    const count = checkChain(editor);
    if (count > 0) {
      firstProblem(editor)?.focus();
      return `审批链有 ${count} 处问题，请按各步骤下的提示修改；尚未保存。`;
    }
    body['chain'] = chainOf(editor);
  }
  for (const element of Array.from(form.elements)) {
    if (!(element instanceof HTMLInputElement || element instanceof HTMLSelectElement || element instanceof HTMLTextAreaElement)) continue;
    if (element.name === '' || element.name === 'email' || element.type === 'file') continue;
    const value = element.value;
    if (element.name === 'roles' || element.name === 'agencyIds') body[element.name] = list(value);
    else if (element.name === 'year') body[element.name] = Number(value);
    else if (value !== '') body[element.name] = value;
  }
  return body;
}

/** After a people change: how many open reviews were handed on, and each that nobody could take. */
function handOverNote(answer: ApiAnswer): string {
  const handed = field(answer.body, 'handedOver');
  const warnings = field(answer.body, 'warnings');
  const parts = typeof handed === 'number' && handed > 0 ? [`已转交 ${handed} 项待办审核并通知接替人员。`] : [];
  if (Array.isArray(warnings)) parts.push(...warnings.map((warning) => `注意：${String(warning)}`));
  return parts.join('');
}

function describe(kind: string, answer: ApiAnswer, preview: boolean): string {
  if (kind === 'reminder') {
    const sent = field(answer.body, 'sent');
    return Array.isArray(sent) ? `已提醒 ${sent.length} 人。` : '已发送。';
  }
  if (kind === 'import')
    return `已导入 ${String(field(answer.body, 'imported'))} 人，${String(field(answer.body, 'unchanged'))} 人无变化。${handOverNote(answer)}`;
  if (kind === 'agency') {
    const warnings = field(answer.body, 'warnings');
    return Array.isArray(warnings) && warnings.length > 0
      ? `已保存。提示：${warnings.map((w) => String(field(w, 'message'))).join('；')}`
      : '已保存。';
  }
  const open = field(answer.body, 'openReviews');
  const moved = Array.isArray(open) ? open.filter((review) => field(review, 'reassigned') === true) : [];
  const named = moved.map((r) => `${String(field(r, 'agencyName'))}${String(field(r, 'year'))}年（${String(field(r, 'stepLabel'))}）`);
  const effect = moved.length === 0 ? '没有待办审核受影响。' : `以下待办审核将转交给现任人员：${named.join('；')}`;
  return preview ? `预览（尚未保存）：${effect}` : `已保存。${handOverNote(answer) || effect}`;
}

function failure(answer: ApiAnswer): string {
  const error = apiError(answer);
  const problems = field(error.details, 'problems');
  const lines = field(answer.body, 'errors');
  const extra = Array.isArray(problems)
    ? problems.map((p) => String(field(p, 'message')))
    : Array.isArray(lines)
      ? lines.map((line) => String(field(line, 'message')))
      : [];
  return [error.message, ...extra].join('\n');
}

for (const editor of Array.from(document.querySelectorAll<HTMLElement>('[data-chain-editor]'))) enhanceChainEditor(editor);

for (const form of Array.from(document.querySelectorAll<HTMLFormElement>('form[data-api-url]'))) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const submitter = event.submitter instanceof HTMLButtonElement ? event.submitter : undefined;
    const preview = submitter?.name === 'preview';
    const output = form.querySelector('output');
    const kind = form.dataset['apiKind'] ?? '';
    const method = methodOf(form);
    let url = form.dataset['apiUrl'] ?? '';
    const email = form.querySelector<HTMLInputElement>('input[name="email"]');
    if (email) url += encodeURIComponent(email.value.trim());
    if (preview) url += '?preview=1';
    const show = (text: string, error: boolean) => {
      if (!output) return;
      output.textContent = text;
      output.classList.toggle('error', error);
    };
    let request: Promise<ApiAnswer>;
    const file = form.querySelector<HTMLInputElement>('input[type="file"]')?.files?.[0];
    if (kind === 'import') {
      if (!file) return show('请选择 CSV 文件。', true);
      request = file.arrayBuffer().then((bytes) => sendApi(method, url, bytes, 'text/csv'));
    } else {
      const body = method === 'DELETE' ? undefined : jsonBody(form);
      if (typeof body === 'string') return show(body, true);
      request = callApi(method, url, body);
    }
    show('正在提交…', false);
    void request.then(
      (answer) => {
        if (answer.status >= 200 && answer.status < 300) {
          show(describe(kind, answer, preview), false);
          // a warning stays on screen until the administrator reloads
          const warnings = field(answer.body, 'warnings');
          const warned = kind !== 'agency' && Array.isArray(warnings) && warnings.length > 0;
          if (!preview && kind !== 'reminder' && !warned) setTimeout(() => window.location.reload(), 1200);
        } else show(failure(answer), true);
      },
      () => show('网络错误，请稍后重试。', true),
    );
  });
}
