import { App } from 'aws-cdk-lib';
import { addNagChecks, addNianbaoStacks } from './nianbao-app.js';

/**
 * The CDK app (`npx cdk synth` / `npx cdk deploy`, via cdk.json). `-c stage=prod` picks the stage (default dev);
 * infra/stages.ts lists the other context values. cdk-nag's AwsSolutions checks run on every synth.
 */
const app = new App();
addNianbaoStacks(app);
addNagChecks(app);
app.synth();
