import type { PublishFailureInput } from './contracts.js';
import { commit, systemEvent, type LogDeps } from './report-log.js';
import { versionOf } from './report-state.js';

/** After Publish exhausted its retries: the failure goes into the log, where the audit page and alarms see it. */
export async function recordPublishFailure(input: PublishFailureInput, deps: LogDeps): Promise<void> {
  await commit(
    input.reportId,
    (state, events) => {
      if (!state) throw new Error(`report ${input.reportId} has no log`);
      const last = events.at(-1);
      if (last?.type === 'publish_failed' && last.version === input.version) return undefined;
      const content = versionOf(events, input.version);
      if (!content) throw new Error(`report ${input.reportId} has no version ${input.version}`);
      const data = { error: input.error?.Error ?? 'Unknown', cause: (input.error?.Cause ?? '').slice(0, 1000) };
      return systemEvent(input.reportId, 'publish_failed', state, content.contentSha256, data, deps.clock, input.version);
    },
    deps,
  );
}
