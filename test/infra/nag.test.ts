import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from './support.js';

/**
 * cdk-nag 3's AwsSolutions pack runs as a CDK validation plugin: synthesis fails on any finding that is not
 * acknowledged. Every stage variant must synthesize clean, and every acknowledgement in infra/ must answer a finding
 * that really occurs (a stale acknowledgement would hide the next real one).
 */

const VARIANTS: Record<string, Record<string, unknown>> = {
  'dev (SES, identity created)': { stage: 'dev' },
  'prod (SES, identity verified outside)': { stage: 'prod' },
  'prod through SMTP': { stage: 'prod', mailTransport: 'smtp', smtpSecretName: 'nianbao/smtp' },
  'prod in ap-southeast-1 on its own domains (edge stack in us-east-1)': {
    stage: 'prod',
    account: '123456789012',
    region: 'ap-southeast-1',
    apiDomain: 'nianbao.example.gov.cn',
    siteDomain: 'nianbao-site.example.gov.cn',
  },
};

interface Violation {
  readonly ruleName: string;
  readonly severity: string;
  readonly violatingConstructs: readonly { readonly constructPath: string }[];
}
interface Report {
  readonly pluginReports: readonly { readonly pluginName: string; readonly violations: readonly Violation[] }[];
}

function readReport(outdir: string): Report | undefined {
  const file = path.join(outdir, 'validation-report.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Report) : undefined;
}

function acknowledgements(root: IConstruct): { id: string; path: string; reason: string }[] {
  return root.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ id, path: construct.node.path, reason })),
        ),
    );
}

/** a synth with cdk-nag takes a few seconds, far more on a busy machine */
const SYNTH_TIMEOUT_MS = 180_000;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('cdk-nag AwsSolutions', () => {
  it.each(Object.entries(VARIANTS))(
    'finds nothing unacknowledged in %s',
    (_name, context) => {
      const built = buildApp({ context, nag: true });
      expect(() => built.app.synth()).not.toThrow();
      const report = readReport(built.outdir);
      const violations = (report?.pluginReports ?? []).flatMap((plugin) =>
        plugin.violations.map(
          (v) => `${plugin.pluginName}: ${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
        ),
      );
      expect(violations).toEqual([]);
      for (const stack of [built.stateful, built.stateless, ...(built.edge === undefined ? [] : [built.edge])]) {
        expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
        expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
      }
    },
    SYNTH_TIMEOUT_MS,
  );

  it.each(Object.entries(VARIANTS))(
    'acknowledges only findings that occur, each with a reason, in %s',
    (_name, context) => {
      const acknowledged = buildApp({ context, nag: true });
      acknowledged.app.synth();
      const acks = acknowledgements(acknowledged.app);
      expect(acks.length).toBeGreaterThan(0);

      vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
      const bare = buildApp({ context, nag: true });
      expect(() => bare.app.synth()).toThrow();
      const findings = (readReport(bare.outdir)?.pluginReports ?? [])
        .filter((plugin) => plugin.pluginName === 'AwsSolutions')
        .flatMap((plugin) =>
          plugin.violations.flatMap((v) =>
            v.violatingConstructs.map((c) => ({ id: `AwsSolutions::${v.ruleName}`, path: c.constructPath })),
          ),
        );

      for (const ack of acks) {
        expect(ack.reason.length, ack.id).toBeGreaterThan(40);
        const answered = findings.filter(
          (finding) => finding.id === ack.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`)),
        );
        expect(answered.length, `${ack.id} at ${ack.path} answers no finding`).toBeGreaterThan(0);
      }
      // and the other way round: every finding is answered by an acknowledgement at or above it
      for (const finding of findings) {
        expect(
          acks.some((ack) => ack.id === finding.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`))),
          `${finding.id} at ${finding.path}`,
        ).toBe(true);
      }
    },
    SYNTH_TIMEOUT_MS,
  );
});
