import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { Annotations, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { CLIENT_MANIFEST_FILE, PACKAGED_MANIFEST_FILE } from '../shared/http/assets.js';
import { clientBuildForSynth } from './client-build.js';
import type { FunctionName } from './function-needs.js';

/** The checkout's root: functions/<name>.ts, package-lock.json and tsconfig.json live here. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The newest Node.js runtime this aws-cdk-lib knows (cdk-nag's L1 asks for exactly that); never older than 22, the
 * runtime ARCHITECTURE.md promises.
 */
export function newestNodeRuntime(): lambda.Runtime {
  let best: { runtime: lambda.Runtime; major: number } | undefined;
  for (const runtime of lambda.Runtime.ALL) {
    const major = Number(/^nodejs(\d+)\.x$/.exec(runtime.name)?.[1]);
    if (runtime.family === lambda.RuntimeFamily.NODEJS && Number.isInteger(major) && (best === undefined || major > best.major))
      best = { runtime, major };
  }
  if (best === undefined || best.major < 22)
    throw new Error(`aws-cdk-lib offers no Node.js runtime ≥ 22 (newest: ${best?.runtime.name ?? 'none'})`);
  return best.runtime;
}

/**
 * ESM bundles still meet CommonJS dependencies (nodemailer, parts of the AWS SDK) that call `require`; esbuild's
 * shim only works when a real `require` exists, so every bundle starts by making one.
 */
/**
 * What the bundles leave out or swap. nodemailer is bundled only where it can run (mail functions of a stage that
 * mails through SMTP; it is imported lazily by the SMTP mailer), and the SDK's credential chain is replaced by the
 * environment reader Lambda needs (shared/runtime/lambda-credentials.ts).
 */
export const LAZY_EXTERNALS = ['nodemailer'];
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './shared/runtime/lambda-credentials.ts',
  // brotli (~475 KB) is only fontkit's WOFF2 decoder; the PDF fonts are OpenType
  brotli: './infra/bundle-stubs/brotli',
};

export const ESM_REQUIRE_BANNER =
  "import { createRequire as __nianbaoCreateRequire } from 'node:module'; const require = __nianbaoCreateRequire(import.meta.url);";

/**
 * What is certainly not in a bundle: everything else in the checkout is hashed (a new top-level folder a handler
 * imports from is covered without anyone remembering to list it).
 */
const NOT_BUNDLE_INPUTS = new Set(['.git', 'node_modules', 'cdk.out', '.data', 'test-output', 'coverage', 'test', 'docs', 'bench', '.ci']);

let sourceFingerprintCache: string | undefined;

/**
 * A hash of every possible bundle input (sources, lockfile, tsconfig), so an unchanged checkout reuses the bundles
 * already in cdk.out instead of running esbuild twenty times; CDK adds the bundling options to it. Conservative:
 * any change outside the folders above rebuilds every bundle.
 */
export function bundleSourceFingerprint(): string {
  if (sourceFingerprintCache !== undefined) return sourceFingerprintCache;
  const hash = createHash('sha256');
  const visit = (relative: string): void => {
    for (const entry of readdirSync(path.join(PROJECT_ROOT, relative), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      const child = relative === '' ? entry.name : path.join(relative, entry.name);
      if (relative === '' && (NOT_BUNDLE_INPUTS.has(entry.name) || entry.name.endsWith('.md'))) continue;
      if (entry.isDirectory()) visit(child);
      else if (entry.isFile())
        hash
          .update(`${child}\0`)
          .update(readFileSync(path.join(PROJECT_ROOT, child)))
          .update('\0');
    }
  };
  visit('');
  sourceFingerprintCache = hash.digest('hex');
  return sourceFingerprintCache;
}

/**
 * Modules replaced in every bundle: brotli's decoder is imported by fontkit for WOFF2 fonts only, which nothing here
 * reads (bench/lambda-bundles.ts builds with the same aliases).
 */

/** After esbuild: the PDF fonts (made by infra/scripts/make-pdf-fonts.sh) and their licence into the package's fonts/. */
const PDF_FONT_SOURCE = path.join(PROJECT_ROOT, 'assets', 'fonts');
const pdfFontsCommands = (outputDir: string): string[] => [
  `mkdir -p ${JSON.stringify(path.join(outputDir, 'fonts'))}`,
  [
    'cp',
    ...['NotoSerifSC-Report.otf', 'NotoSansSC-Bold-Report.otf', 'OFL.txt'].map((file) => path.join(PDF_FONT_SOURCE, file)),
    path.join(outputDir, 'fonts'),
  ]
    .map((word) => JSON.stringify(word))
    .join(' '),
];

/**
 * After esbuild: the client build's manifest beside the handler, so a page names the scripts CloudFront serves from
 * the same build (any function may render a page; the file is a few hundred bytes), and the PDF fonts where needed.
 */
function commandHooks(props: ProjectFunctionProps): ICommandHooks {
  const manifest = path.join(clientBuildForSynth().dir, CLIENT_MANIFEST_FILE);
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => [
      ['cp', manifest, path.join(outputDir, PACKAGED_MANIFEST_FILE)].map((word) => JSON.stringify(word)).join(' '),
      ...(props.pdfFonts === true ? pdfFontsCommands(outputDir) : []),
    ],
  };
}

export interface ProjectFunctionProps {
  /** the module functions/<name>.ts whose `handler` export is the entry */
  readonly name: FunctionName;
  readonly logRetention: logs.RetentionDays;
  /** the log group's removal policy (RETAIN outside throwaway stages: logs outlive a stack) */
  readonly removalPolicy: RemovalPolicy;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly description?: string;
  /** bundle nodemailer (a mail-sending function in a stage that mails through SMTP); otherwise it is left out */
  readonly bundleNodemailer?: boolean;
  /** capacity kept for this function alone (and its ceiling); unset: the account's unreserved pool */
  readonly reservedConcurrentExecutions?: number;
  /** package the PDF fonts into `fonts/` beside the handler (publish-report writes the PDF) */
  readonly pdfFonts?: boolean;
}

/**
 * One Lambda per handler, configured once: the newest Node.js runtime, arm64, an explicit log group with retention
 * (JSON logs), and esbuild bundling on this machine (never Docker) to minified ESM with source maps and the AWS SDK
 * bundled in, so what runs in AWS is the SDK version the lockfile pins and the tests ran against.
 *
 * The role is the function's own, with no managed policy: it may write to its log group, and anything else comes
 * from the bind helpers (infra/bindings.ts), each of which sets the environment variable and grants in one call.
 */
export class ProjectFunction extends NodejsFunction {
  readonly functionModule: FunctionName;
  /** the function's own log group (retention set) */
  readonly functionLogGroup: logs.LogGroup;
  /** the function's own role (no managed policies): its log group plus what the bind helpers grant */
  readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention, removalPolicy: props.removalPolicy });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `nianbao ${props.name}: its log group plus what infra/function-needs.ts lists`,
    });
    const runtime = newestNodeRuntime();
    super(scope, id, {
      entry: path.join(PROJECT_ROOT, 'functions', `${props.name}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(20),
      ...(props.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: props.description ?? `nianbao ${props.name}`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'nianbao',
      },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        target: `node${/^nodejs(\d+)/.exec(runtime.name)?.[1] ?? '22'}`,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        externalModules: props.bundleNodemailer === true ? [] : LAZY_EXTERNALS,
        bundleAwsSDK: true,
        esbuildArgs: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([from, to]) => [`--alias:${from}`, to])),
        forceDockerBundling: false,
        tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json'),
        logLevel: LogLevel.WARNING,
        assetHash: bundleSourceFingerprint(),
        commandHooks: commandHooks(props),
      },
    });
    // the one external is nodemailer, which an SES stage never loads and an SMTP stage bundles: nothing is expected of the runtime
    Annotations.of(scope).acknowledgeWarning(
      '@aws-cdk/aws-lambda-nodejs:variableRuntimeExternals',
      'nodemailer is external only where mail goes through SES, and is then never imported',
    );
    this.functionModule = props.name;
    this.functionLogGroup = logGroup;
    this.executionRole = role;
    // the role exists only for this function: its log group, nothing else until something is bound
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
  }
}
