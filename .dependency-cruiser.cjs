/**
 * The layering the design keeps, as rules `npm test` enforces (`npm run lint:deps`, which runs scripts/lint-deps.ts:
 * the rules are checked on a file-by-file transpilation of the sources, with the same folder layout).
 * - The domain (shared/report, shared/workflow) is plain TypeScript: no AWS SDK, no HTTP, no storage, no infra.
 *   Adapters (shared/store, shared/mail, shared/sfn, shared/runtime) implement its ports and are passed in.
 * - Lambda handlers (functions/) never reach into the CDK app or the local stack (infra/).
 * - No cycles between folders.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-plain',
      comment:
        'shared/report and shared/workflow take adapters through ports; they import no AWS SDK, HTTP, storage or infra code. ' +
        'The mail wording (shared/mail/messages) is plain templating and may be used; the mailers may not.',
      severity: 'error',
      from: { path: '^shared/(report|workflow)/' },
      to: {
        path: [
          'node_modules/@aws-sdk/',
          'node_modules/aws-cdk-lib/',
          '^shared/(http|store|runtime|sfn)/',
          '^shared/mail/(?!messages)',
          '^infra/',
          '^functions/',
        ],
      },
    },
    {
      name: 'report-model-stands-alone',
      comment: 'The report model (templates, checks, rendering) knows nothing of the workflow around it.',
      severity: 'error',
      from: { path: '^shared/report/' },
      to: { path: '^shared/workflow/' },
    },
    {
      name: 'functions-not-infra',
      comment: 'A Lambda handler is bundled on its own: it must not pull in the CDK app or the local stack.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^infra/' },
    },
    {
      name: 'shared-not-infra',
      comment: 'Shared code runs inside Lambdas; the CDK app and the local stack depend on it, never the other way.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^infra/' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Modules may not import each other in a circle: a cycle means two folders are one idea split in two.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.js', '.json'],
    },
  },
};
