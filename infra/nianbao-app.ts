import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StatefulStack } from './stateful-stack.js';
import { StatelessStack } from './stateless-stack.js';
import { resolveStageConfig, STAGE_CONTEXT_KEYS, type Stage, type StageConfig } from './stages.js';

export interface NianbaoStacks {
  readonly stage: Stage;
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
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
  const env = config.env === undefined ? {} : { env: { ...(config.env.account === undefined ? {} : { account: config.env.account }), ...(config.env.region === undefined ? {} : { region: config.env.region }) } };
  const stateful = new StatefulStack(app, `Nianbao-${stage}-Stateful`, {
    ...env,
    description: `nianbao (${stage}): table, public site bucket and distribution, access logs, master secret, mail identity`,
    terminationProtection: stage === 'prod',
    config,
  });
  const stateless = new StatelessStack(app, `Nianbao-${stage}-Stateless`, {
    ...env,
    description: `nianbao (${stage}): HTTP API, Lambda functions, review state machine, alarms`,
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
  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add('app', 'nianbao');
    Tags.of(stack).add('stage', stage);
  }
  return { stage, config, stateful, stateless };
}

/** cdk-nag's AwsSolutions pack as a CDK validation plugin: an unacknowledged finding fails synthesis. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
