/**
 * A process the persistence test kills with SIGKILL at a random moment: it starts review executions back to back,
 * and its task functions approve their own tokens at once, so files are being written all the time.
 *   node --import tsx test/workflow/sfn-kill-child.ts <dataDir> <definition.json>
 */
import { readFileSync } from 'node:fs';
import { LOCAL_STATE_MACHINE_ARN } from '../../infra/local/definition.js';
import { LocalStepFunctions } from '../../infra/local/sfn-engine.js';
import { cursorAt, DEFAULT_CHAIN } from '../../shared/workflow/review-chain.js';
import { selfAnsweringInvoke } from './sfn-self-answering.js';

const [dataDir, definitionFile] = process.argv.slice(2);
if (dataDir === undefined || definitionFile === undefined) throw new Error('usage: sfn-kill-child.ts <dataDir> <definition.json>');

const definition = JSON.parse(readFileSync(definitionFile, 'utf8')) as Record<string, unknown>;
const holder: { engine?: LocalStepFunctions } = {};
const engine = new LocalStepFunctions({
  definition,
  stateMachineArn: LOCAL_STATE_MACHINE_ARN,
  dataDir,
  // answers come 0–30 ms later, so many executions are waiting, answering and writing when the kill comes
  invoke: selfAnsweringInvoke(
    () => holder.engine,
    () => Math.floor(Math.random() * 30),
  ),
});
holder.engine = engine;

let started = 0;
setInterval(() => {
  for (let i = 0; i < 2; i += 1) {
    engine
      .startExecution(`kill-${started}`, {
        reportId: `r-${started}`,
        version: 1,
        chain: DEFAULT_CHAIN,
        at: cursorAt(DEFAULT_CHAIN, 0, 'start', () => []),
      })
      .catch((error: unknown) => console.error(error));
    started += 1;
  }
  if (started === 10) process.stdout.write('ready\n');
}, 1);
