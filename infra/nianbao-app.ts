import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EDGE_REGION, EdgeStack, edgePlacement } from './edge.js';
import { StatefulStack } from './stateful-stack.js';
import { StatelessStack } from './stateless-stack.js';
import { resolveStageConfig, STAGE_CONTEXT_KEYS, type Stage, type StageConfig } from './stages.js';

export interface NianbaoStacks {
  readonly stage: Stage;
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  /** AWS WAF and the custom domains' certificates (us-east-1); none in the China regions */
  readonly edge: EdgeStack | undefined;
}

/** The context values of `cdk -c key=value` (and cdk.json) that choose and adjust the stage. */
export function stageContext(app: App): Record<string, unknown> {
  return Object.fromEntries(STAGE_CONTEXT_KEYS.map((key) => [key, app.node.tryGetContext(key)]));
}

/**
 * The two stacks of one stage, `Nianbao-<stage>-Stateful` and `Nianbao-<stage>-Stateless`. The stage comes from the
 * context (`-c stage=prod`, default dev) unless given.
 */
export function addNianbaoStacks(app: App, override?: { stage: Stage; config: StageConfig }): NianbaoStacks {
  const { stage, config } = override ?? resolveStageConfig(stageContext(app));
  const env =
    config.env === undefined
      ? {}
      : {
          env: {
            ...(config.env.account === undefined ? {} : { account: config.env.account }),
            ...(config.env.region === undefined ? {} : { region: config.env.region }),
          },
        };
  const placement = edgePlacement(config);
  // CloudFront reads web ACLs and certificates from us-east-1: from another region they cross over SSM (edge.ts)
  const crossRegionReferences = placement.kind === 'us-east-1';
  const edge =
    placement.kind === 'none'
      ? undefined
      : new EdgeStack(app, `Nianbao-${stage}-Edge`, {
          ...(placement.kind === 'us-east-1'
            ? { env: { ...(config.env?.account === undefined ? {} : { account: config.env.account }), region: EDGE_REGION } }
            : env),
          description: `nianbao (${stage}): AWS WAF web ACL and custom-domain certificates for CloudFront`,
          crossRegionReferences,
          config,
          placement,
        });
  const stateful = new StatefulStack(app, `Nianbao-${stage}-Stateful`, {
    ...env,
    crossRegionReferences,
    siteCertificate: edge?.siteCertificate,
    description: `nianbao (${stage}): table, public site bucket and distribution, access logs, master secret, mail identity`,
    terminationProtection: stage === 'prod',
    config,
  });
  const stateless = new StatelessStack(app, `Nianbao-${stage}-Stateless`, {
    ...env,
    crossRegionReferences,
    webAclArn: edge?.webAcl.attrArn,
    apiCertificate: edge?.apiCertificate,
    accessLogBucket: stateful.accessLogBucket,
    description: `nianbao (${stage}): HTTP API behind CloudFront, Lambda functions, review state machine, alarms`,
    config,
    table: stateful.table,
    siteBucket: stateful.siteBucket,
    siteBaseUrl: stateful.siteBaseUrl,
    masterSecret: stateful.masterSecret,
    historyKey: stateful.historyKey,
    anchorBucket: stateful.anchorBucket,
    sesMail: stateful.sesMail,
  });
  stateless.addStackDependency(stateful);
  for (const stack of [stateful, stateless, ...(edge === undefined ? [] : [edge])]) {
    Tags.of(stack).add('app', 'nianbao');
    Tags.of(stack).add('stage', stage);
  }
  return { stage, config, stateful, stateless, edge };
}

/** cdk-nag's AwsSolutions pack as a CDK validation plugin: an unacknowledged finding fails synthesis. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
