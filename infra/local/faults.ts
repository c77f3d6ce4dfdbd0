import { appendFileSync, readFileSync } from 'node:fs';
import type { Site, SiteObject, Workflow } from '../../shared/workflow/ports.js';

/**
 * Fault injection for the local stack: what the fault tests (test/faults) and a person rehearsing an outage use to
 * make the site bucket fail or stall without stopping s3rver. Nothing in AWS uses this module, and the local stack
 * uses it only when asked: `startLocalStack({ faults })` in the same process, or `NIANBAO_FAULTS_FILE=<file.json>`
 * for `npm start`, where the file is read again before every write, so the plan can be changed while the process
 * runs, and every attempt is appended (one JSON line, written synchronously) to `<file.json>.log`.
 *
 *   { "site": { "fail": true } }        every site write fails as S3 does when it is down (ServiceUnavailable)
 *   { "site": { "delayMs": 5000 } }     every site write waits 5 s first (time to SIGKILL the process mid-Publish)
 *   { "workflow": { "startDelayMs": 5000 } }   StartExecution waits 5 s (a kill between a submission and its execution)
 *   {}                                  no faults
 */

export interface SiteFaultPlan {
  /** every write fails, with S3's 503 error name */
  readonly fail?: boolean;
  /** every write waits this long before it is made (or fails) */
  readonly delayMs?: number;
}

export interface WorkflowFaultPlan {
  /** StartExecution waits this long before it is called */
  readonly startDelayMs?: number;
}

export interface FaultPlan {
  readonly site?: SiteFaultPlan;
  readonly workflow?: WorkflowFaultPlan;
}

export interface FaultAttempt {
  readonly at: string;
  readonly op: 'site.put' | 'workflow.start';
  readonly key: string;
  /** `started` is written before the write (and before any delay); then `ok` or `failed` */
  readonly outcome: 'started' | 'ok' | 'failed';
}

/** What S3 answers when it cannot take the write (HTTP 503); the Publish task's Retry matches it like any error. */
export class InjectedSiteFault extends Error {
  override readonly name = 'ServiceUnavailable';
  readonly $fault = 'server';
  constructor(key: string) {
    super(`injected fault: the site bucket refused ${key}`);
  }
}

export class LocalFaults {
  readonly attempts: FaultAttempt[] = [];
  private plan: FaultPlan;
  private readonly planFile: string | undefined;
  private readonly logFile: string | undefined;

  constructor(options: { plan?: FaultPlan; planFile?: string } = {}) {
    this.plan = options.plan ?? {};
    this.planFile = options.planFile;
    this.logFile = options.planFile === undefined ? undefined : `${options.planFile}.log`;
  }

  /** Replaces the plan (in-process use). */
  set(plan: FaultPlan): void {
    this.plan = plan;
  }

  /** The plan in force: the file's, read now, when there is one (a missing or unreadable file means no faults). */
  current(): FaultPlan {
    if (this.planFile === undefined) return this.plan;
    try {
      return JSON.parse(readFileSync(this.planFile, 'utf8')) as FaultPlan;
    } catch {
      return {};
    }
  }

  /** Site writes counted (attempts that started), optionally only those of one key. */
  sitePuts(key?: string): number {
    return this.attempts.filter(
      (attempt) => attempt.op === 'site.put' && attempt.outcome === 'started' && (key === undefined || attempt.key === key),
    ).length;
  }

  wrapSite(site: Site): Site {
    return {
      put: async (object: SiteObject) => {
        const plan = this.current().site ?? {};
        this.record({ op: 'site.put', key: object.key, outcome: 'started' });
        if (plan.delayMs !== undefined && plan.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, plan.delayMs));
        if (plan.fail === true) {
          this.record({ op: 'site.put', key: object.key, outcome: 'failed' });
          throw new InjectedSiteFault(object.key);
        }
        const result = await site.put(object);
        this.record({ op: 'site.put', key: object.key, outcome: 'ok' });
        return result;
      },
    };
  }

  /** The Workflow port with StartExecution delayed as the plan says; everything else passes through. */
  wrapWorkflow(workflow: Workflow): Workflow {
    return {
      start: async (name, input) => {
        const plan = this.current().workflow ?? {};
        this.record({ op: 'workflow.start', key: name, outcome: 'started' });
        if (plan.startDelayMs !== undefined && plan.startDelayMs > 0)
          await new Promise((resolve) => setTimeout(resolve, plan.startDelayMs));
        await workflow.start(name, input);
        this.record({ op: 'workflow.start', key: name, outcome: 'ok' });
      },
      stop: (name, cause) => workflow.stop(name, cause),
      sendTaskSuccess: (taskToken, output) => workflow.sendTaskSuccess(taskToken, output),
      sendTaskFailure: (taskToken, error, cause) => workflow.sendTaskFailure(taskToken, error, cause),
      describe: (name) => workflow.describe(name),
      history: (name) => workflow.history(name),
    };
  }

  private record(attempt: Omit<FaultAttempt, 'at'>): void {
    const entry = { at: new Date().toISOString(), ...attempt };
    this.attempts.push(entry);
    if (this.logFile !== undefined) appendFileSync(this.logFile, `${JSON.stringify(entry)}\n`);
  }
}

export const FAULTS_FILE_VARIABLE = 'NIANBAO_FAULTS_FILE';

/** The faults `npm start` was asked for through NIANBAO_FAULTS_FILE, if any. */
export function faultsFromEnvironment(env: NodeJS.ProcessEnv = process.env): LocalFaults | undefined {
  const file = env[FAULTS_FILE_VARIABLE];
  return file === undefined || file === '' ? undefined : new LocalFaults({ planFile: file });
}
