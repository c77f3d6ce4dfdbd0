import { App } from 'aws-cdk-lib';
import { addNagChecks, addNianbaoStacks } from './nianbao-app.js';
import { StageConfigError } from './stages.js';

/**
 * The CDK app (`npx cdk synth` / `npx cdk deploy`, via cdk.json). `-c stage=prod` picks the stage (default dev);
 * infra/stages.ts lists the other context values. cdk-nag's AwsSolutions checks run on every synth.
 */
const app = new App();
try {
  addNianbaoStacks(app);
} catch (error) {
  // a wrong or missing context value: say which, without a stack trace
  if (!(error instanceof StageConfigError)) throw error;
  console.error(`nianbao: ${error.message}`);
  process.exit(1);
}
addNagChecks(app);
app.synth();
