import { formatBeijingTime } from '../../report/sign-off.js';
import { findTemplate } from '../../report/templates/index.js';
import {
  DecidedDataSchema,
  PublishedDataSchema,
  PublishFailedDataSchema,
  ResubmittedDataSchema,
  ReviewRequestedDataSchema,
  RevisionRequestedDataSchema,
  SubmittedDataSchema,
  WorkflowFailedDataSchema,
} from '../../workflow/event-data.js';
import type { ReportEvent, ReportHead } from '../../workflow/model.js';
import { KIND_VERBS, stepKind, stepLabel } from '../../workflow/review-chain.js';
import { deciderWording } from '../../workflow/deputy-wording.js';

/** The Chinese words the pages and the exports use for the workflow's states and events. */

export const STATUS_NAMES: Readonly<Record<ReportHead['status'], string>> = {
  in_review: '审核中',
  returned: '已退回修改',
  withdrawn: '已撤回',
  published: '已发布',
  publish_failed: '发布失败',
};

const STAGE_NAMES: Readonly<Record<string, string>> = {
  officer: '信息员修改',
  publishing: '发布中',
  published: '已发布',
  none: '—',
};

/** Where a report is, in words: a step's label from the round's chain, or the stage's own name. */
export const stageName = (head: Pick<ReportHead, 'stage' | 'stageLabel'>): string =>
  head.stageLabel ?? STAGE_NAMES[head.stage] ?? stepLabel(undefined, head.stage);

export const EVENT_NAMES: Readonly<Record<ReportEvent['type'], string>> = {
  submitted: '提交',
  review_requested: '送审',
  reminder_sent: '催办提醒',
  decided: '审核决定',
  revision_requested: '退回修改',
  resubmitted: '重新提交',
  withdrawn: '撤回',
  published: '发布',
  publish_failed: '发布失败',
  workflow_failed: '流程中断',
};

/** Roles that are not steps; a step role is named by its step's label. */
export const ROLE_LABELS: Readonly<Record<string, string>> = { officer: '信息员', auditor: '审计人员', admin: '管理员', system: '系统' };

/** Who acted, as the audit page and its CSV name them: a reserved role's name, else the step the decision was at. */
export function actorLabel(event: ReportEvent): string {
  const reserved = ROLE_LABELS[event.actor.role];
  if (reserved !== undefined) return reserved;
  if (event.type === 'decided') {
    const data = DecidedDataSchema.safeParse(event.data);
    if (data.success) return data.data.decision.stepLabel ?? stepLabel(undefined, data.data.decision.stage);
  }
  return event.actor.role;
}

export const OUTCOME_NAMES = { approve: '同意', return: '退回修改' } as const;

/** `2021年1月20日 10:30` (Beijing time), or the text as given when it is not a time. */
export const beijingTime = (iso: string | undefined): string => (iso === undefined ? '' : (formatBeijingTime(iso) ?? iso));

/** `2021-01-20 10:30:05` (Beijing time), for records where the second matters; the text as given when it is not a time. */
export function beijingTimeWithSeconds(iso: string | undefined): string {
  if (iso === undefined) return '';
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso) || !Number.isFinite(ms)) return iso;
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The year a report is due for now: reports for year Y are written in January of Y+1, in Beijing time. */
export function beijingYear(now: Date): number {
  return new Date(now.getTime() + 8 * 3_600_000).getUTCFullYear();
}

/** One line saying what an event recorded, for the audit page and its CSV. */
export function eventSummary(event: ReportEvent): string {
  switch (event.type) {
    case 'submitted': {
      const data = SubmittedDataSchema.safeParse(event.data);
      return data.success ? `第${data.data.round}轮审核，按“${findTemplate(data.data.template)?.name ?? data.data.template}”填报` : '';
    }
    case 'resubmitted': {
      const data = ResubmittedDataSchema.safeParse(event.data);
      return data.success ? `修改第 ${data.data.returnedVersion} 版后重新提交` : '';
    }
    case 'review_requested':
    case 'reminder_sent': {
      const data = ReviewRequestedDataSchema.partial().safeParse(event.data);
      if (!data.success) return '';
      const stage = data.data.stage === undefined ? '' : `（${data.data.stepLabel ?? stepLabel(undefined, data.data.stage)}）`;
      const verb = KIND_VERBS[(data.data.stage === undefined ? undefined : stepKind(undefined, data.data.stage)) ?? 'review'];
      if (data.data.replaces !== undefined) {
        const label = data.data.stepLabel ?? (data.data.stage === undefined ? '审核' : stepLabel(undefined, data.data.stage));
        return `${label}转交：${data.data.replaces.approverName} → ${data.data.approverName ?? ''}（人员变动），已发送链接`;
      }
      const deputy = data.data.deputy === undefined ? '' : `（代理期间，链接发给代理人${data.data.deputy.name}）`;
      return `${event.type === 'reminder_sent' ? '提醒' : '请'} ${data.data.approverName ?? ''}${stage}${verb}，已发送链接${deputy}`;
    }
    case 'decided': {
      const data = DecidedDataSchema.safeParse(event.data);
      if (!data.success) return '';
      const { decision } = data.data;
      const who = deciderWording(decision);
      const parts = [`${who}（${decision.stepLabel ?? stepLabel(undefined, decision.stage)}）：${OUTCOME_NAMES[decision.outcome]}`];
      if (decision.confidentialityReviewed) parts.push('已完成保密审查');
      if (decision.comment !== '') parts.push(`意见：${decision.comment}`);
      return parts.join('；');
    }
    case 'revision_requested': {
      const data = RevisionRequestedDataSchema.safeParse(event.data);
      return data.success ? `${data.data.returnedByName}退回：${data.data.comment}` : '';
    }
    case 'withdrawn':
      return '信息员撤回，审核流程终止';
    case 'published': {
      const data = PublishedDataSchema.safeParse(event.data);
      return data.success ? `已发布 ${data.data.objects.map((object) => object.key).join('、')}` : '';
    }
    case 'publish_failed': {
      const data = PublishFailedDataSchema.safeParse(event.data);
      return data.success ? `发布失败：${data.data.error}` : '';
    }
    case 'workflow_failed': {
      const data = WorkflowFailedDataSchema.safeParse(event.data);
      return data.success ? `审核流程 ${data.data.executionName} 中断（${data.data.status}：${data.data.error}），待运维人员恢复` : '';
    }
  }
}

/** What the workflow engine says of an execution, in words. */
export const EXECUTION_STATUS_NAMES: Readonly<Record<string, string>> = {
  RUNNING: '进行中',
  SUCCEEDED: '已完成',
  FAILED: '失败',
  TIMED_OUT: '超时',
  ABORTED: '已终止',
  PENDING_REDRIVE: '等待重试',
};
