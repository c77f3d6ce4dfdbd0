import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { ANY_SIGNATURE, type HistoryEvent, type HistoryState } from './sfn-history.js';

/**
 * The local engine's executions on disk: one JSON file per execution under the data directory, each written whole
 * to a temporary file and renamed over the old one, so a process killed at any moment (SIGKILL included) leaves
 * either the previous or the new version of every file, never a torn one. (Renaming is atomic against a crash of
 * the process; surviving a power cut would also need fsync, which a local development stack does without.)
 */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
export type JournalStatus = 'waiting' | 'succeeded' | 'failed' | 'superseded';

/** One invocation of a Task state, in the order the state machine made them. */
export interface JournalEntry {
  /** the entry's position in the journal (task tokens refer to it) */
  index: number;
  /** the Map iteration or Parallel branch the task ran in ('' or absent: the execution itself), see sfn-scopes.ts */
  scope?: string | undefined;
  stateName: string;
  functionName: string;
  /** the task token of a `.waitForTaskToken` invocation (a retry or a reminder is a new entry with a new token) */
  token?: string | undefined;
  /**
   * waiting: invoked, no answer yet (a crash here means: invoke again, with the same token) · succeeded / failed:
   * answered (replayed from here without invoking) · superseded: the wait ended without an answer (it timed out, or
   * the execution was stopped); its token answers TaskTimedOut
   */
  status: JournalStatus;
  /** the task's effective input (FunctionName, Payload), task tokens redacted: for TaskScheduled */
  parameters?: string | undefined;
  startedAt: number;
  /** when the library's TimeoutSeconds timer fires for this invocation */
  timeoutAt?: number | undefined;
  endedAt?: number | undefined;
  /** how many times the Lambda was invoked for this entry (once, plus once per restart while it waited) */
  invocations: number;
  /** the task's result, exactly as the state machine received it */
  output?: unknown;
  /** the error the task failed with: `name` is the Step Functions error (Retry/Catch match it), `cause` its Cause */
  error?: { name: string; cause: string } | undefined;
  /** where in its scope's history the event that scheduled it is (a redrive reruns what comes after a point) */
  historyMark?: number | undefined;
}

export interface ExecutionRecord {
  format: 1;
  name: string;
  executionArn: string;
  stateMachineArn: string;
  /** the definition this execution started with (as AWS, an execution keeps its definition) */
  definition: Record<string, unknown>;
  /** the execution input, JSON text */
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number | undefined;
  output?: string | undefined;
  error?: string | undefined;
  cause?: string | undefined;
  journal: JournalEntry[];
  history: HistoryEvent[];
  historyState: HistoryState;
  /** how many times RedriveExecution restarted this execution, and when it last did */
  redriveCount?: number | undefined;
  /** tokens of the task invocations a redrive ran again: they answer TaskTimedOut, as every spent token does */
  retiredTokens?: string[] | undefined;
  redriveDate?: number | undefined;
}

const JournalEntrySchema = z.object({
  index: z.int().min(0),
  scope: z.string().optional(),
  stateName: z.string(),
  functionName: z.string(),
  token: z.string().optional(),
  status: z.enum(['waiting', 'succeeded', 'failed', 'superseded']),
  parameters: z.string().optional(),
  startedAt: z.number(),
  timeoutAt: z.number().optional(),
  endedAt: z.number().optional(),
  invocations: z.int().min(0),
  output: z.json().optional(),
  error: z.object({ name: z.string(), cause: z.string() }).optional(),
  historyMark: z.int().min(0).optional(),
});

const HistoryEventSchema = z.custom<HistoryEvent>((value) => {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  return typeof event['id'] === 'number' && typeof event['type'] === 'string' && typeof event['timestamp'] === 'number';
});

const ScopeHistorySchema = z.object({
  signatures: z.array(z.string()),
  taskCursor: z.int().min(0),
  attemptFailed: z.boolean(),
  parentMark: z.int().min(0).optional(),
  iteration: z.object({ name: z.string(), index: z.int().min(0) }).optional(),
});
const HistoryStateSchema = z.object({ scopes: z.record(z.string(), ScopeHistorySchema) });

/**
 * Files written before Map and Parallel ran counted the library events already in the history; each counted event
 * becomes a signature that matches any event.
 */
const LegacyHistoryStateSchema = z.object({ eventsSeen: z.int().min(0), taskCursor: z.int().min(0), attemptFailed: z.boolean() }).transform(
  ({ eventsSeen, taskCursor, attemptFailed }): HistoryState => ({
    scopes: { '': { signatures: Array.from({ length: eventsSeen }, () => ANY_SIGNATURE), taskCursor, attemptFailed } },
  }),
);

const ExecutionRecordSchema = z.object({
  format: z.literal(1),
  name: z.string().min(1),
  executionArn: z.string().min(1),
  stateMachineArn: z.string().min(1),
  definition: z.record(z.string(), z.unknown()),
  input: z.string(),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']),
  startDate: z.number(),
  stopDate: z.number().optional(),
  output: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  journal: z.array(JournalEntrySchema),
  history: z.array(HistoryEventSchema),
  historyState: z.union([HistoryStateSchema, LegacyHistoryStateSchema]),
  redriveCount: z.int().min(0).optional(),
  redriveDate: z.number().optional(),
  retiredTokens: z.array(z.string()).optional(),
});

const RECORD_PREFIX = 'execution-';
const RECORD_SUFFIX = '.json';
const TEMP_SUFFIX = '.tmp';

export class ExecutionFiles {
  private readonly dir: string;
  private sequence = 0;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  /** Execution names allow characters a file name must not hold ("/" among them): encode them. */
  fileOf(name: string): string {
    return join(this.dir, `${RECORD_PREFIX}${encodeURIComponent(name)}${RECORD_SUFFIX}`);
  }

  /** Writes the record whole: a temporary file, then a rename over the old version. */
  save(record: ExecutionRecord): void {
    const file = this.fileOf(record.name);
    const temp = `${file}.${process.pid}.${++this.sequence}${TEMP_SUFFIX}`;
    writeFileSync(temp, `${JSON.stringify(record)}\n`);
    renameSync(temp, file);
  }

  /**
   * Every execution on disk. Temporary files a killed process left behind are removed; a file that does not parse
   * (which the rename makes impossible, short of someone editing it) is set aside as `.corrupt` and reported.
   */
  loadAll(onCorrupt: (file: string, reason: string) => void): ExecutionRecord[] {
    const records: ExecutionRecord[] = [];
    for (const entry of readdirSync(this.dir).sort()) {
      const path = join(this.dir, entry);
      if (entry.endsWith(TEMP_SUFFIX)) {
        rmSync(path, { force: true });
        continue;
      }
      if (!entry.startsWith(RECORD_PREFIX) || !entry.endsWith(RECORD_SUFFIX)) continue;
      try {
        records.push(ExecutionRecordSchema.parse(JSON.parse(readFileSync(path, 'utf8'))) as ExecutionRecord);
      } catch (error) {
        renameSync(path, `${path}.corrupt`);
        onCorrupt(path, error instanceof Error ? error.message : String(error));
      }
    }
    return records;
  }
}
