/// <reference lib="dom" />
import { apiError, callApi, field } from './http.js';

/**
 * The home page's 待办: the reviews waiting for the signed-in person, from GET /api/me/tasks, each a link to its
 * review page and a button that has the review email sent again (POST …/resend; the API allows three an hour).
 */

const VERBS: Readonly<Record<string, string>> = { review: '审核', cosign: '会签', sign: '签发' };

export interface TaskItem {
  readonly reviewId: string;
  readonly agencyName: string;
  readonly year: number;
  readonly version: number;
  readonly stepId: string;
  readonly stepLabel: string;
  readonly requestedAt: string;
  readonly url: string;
  /** whose review it is, when the signed-in person acts as their deputy (代理) */
  readonly onBehalfOf?: string;
}

/** The tasks of the API's answer that have every field this list shows; anything else is left out. */
export function tasksOf(body: unknown): TaskItem[] {
  const tasks = field(body, 'tasks');
  if (!Array.isArray(tasks)) return [];
  return tasks.flatMap((task: unknown) => {
    const text = (key: string) => field(task, key);
    const [reviewId, agencyName, stepId, stepLabel, requestedAt, url] = [
      'reviewId',
      'agencyName',
      'stepId',
      'stepLabel',
      'requestedAt',
      'url',
    ].map(text);
    const year = text('year');
    const version = text('version');
    if (typeof reviewId !== 'string' || typeof agencyName !== 'string' || typeof stepId !== 'string' || typeof stepLabel !== 'string')
      return [];
    if (typeof requestedAt !== 'string' || typeof url !== 'string' || typeof year !== 'number' || typeof version !== 'number') return [];
    // only a link into this site: the list never sends anyone elsewhere
    let href: URL;
    try {
      href = new URL(url, window.location.origin);
    } catch {
      return [];
    }
    if (href.origin !== window.location.origin || !href.pathname.startsWith('/reviews/')) return [];
    const onBehalfOf = field(field(task, 'onBehalfOf'), 'name');
    const deputy = typeof onBehalfOf === 'string' ? { onBehalfOf } : {};
    return [{ reviewId, agencyName, year, version, stepId, stepLabel, requestedAt, url: `${href.pathname}${href.search}`, ...deputy }];
  });
}

/** `2021年1月20日 10:30`, Beijing time. */
export function beijingMinute(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const at = new Date(ms + 8 * 3_600_000);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${at.getUTCFullYear()}年${at.getUTCMonth() + 1}月${at.getUTCDate()}日 ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`;
}

function item(task: TaskItem, kinds: Record<string, unknown>): HTMLLIElement {
  const kind = kinds[task.stepId];
  const verb = (typeof kind === 'string' ? VERBS[kind] : undefined) ?? '处理';
  const li = document.createElement('li');
  li.className = 'task';
  li.dataset['reviewId'] = task.reviewId;
  const link = document.createElement('a');
  link.href = task.url;
  link.textContent = `${task.agencyName}${task.year}年年度报告（第${task.version}版）`;
  const what = document.createElement('span');
  what.className = 'muted';
  const deputy = task.onBehalfOf === undefined ? '' : ` · 代${task.onBehalfOf}处理`;
  what.textContent = ` ${task.stepLabel} · 待${verb}${deputy} · 自 ${beijingMinute(task.requestedAt)} 起 `;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'resend';
  button.textContent = '重新发送审核邮件';
  const status = document.createElement('span');
  status.setAttribute('role', 'status');
  status.className = 'resend-status';
  button.addEventListener('click', () => {
    button.disabled = true;
    status.textContent = '';
    void callApi('POST', `/api/me/tasks/${encodeURIComponent(task.reviewId)}/resend`, {}).then(
      (answer) => {
        button.disabled = false;
        status.textContent = answer.status === 200 || answer.status === 202 ? ' 邮件已重新发送。' : ` ${apiError(answer).message}`;
      },
      () => {
        button.disabled = false;
        status.textContent = ' 网络不通，请稍后重试。';
      },
    );
  });
  li.append(link, what, button, status);
  return li;
}

export function tasks(): void {
  const section = document.getElementById('tasks');
  const list = document.getElementById('tasks-list');
  const status = document.getElementById('tasks-status');
  if (!section || !list || !status) return;
  let kinds: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(section.dataset['kinds'] ?? '{}');
    if (typeof parsed === 'object' && parsed !== null) kinds = { ...parsed };
  } catch {
    kinds = {};
  }
  void callApi('GET', '/api/me/tasks').then(
    (answer) => {
      if (answer.status !== 200) {
        status.textContent = `暂时无法读取待办：${apiError(answer).message}`;
        return;
      }
      const found = tasksOf(answer.body);
      list.replaceChildren(...found.map((task) => item(task, kinds)));
      list.hidden = found.length === 0;
      status.textContent = found.length === 0 ? '目前没有等待您处理的报告。' : `共 ${found.length} 份报告等待您处理：`;
    },
    () => {
      status.textContent = '网络不通，暂时无法读取待办，请稍后刷新。';
    },
  );
}
