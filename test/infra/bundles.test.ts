import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_BUDGET_KIB } from '#infra/bundle-budgets.js';
import { FUNCTION_NAMES, type FunctionName } from '#infra/function-needs.js';
import { ESM_REQUIRE_BANNER, PROJECT_ROOT } from '#infra/project-function.js';
import { clientBuildForSynth } from '#infra/client-build.js';
import { PACKAGED_MANIFEST_FILE } from '#shared/http/assets.js';
import { buildApp, functionLogicalId, resourcesOfType } from './support.js';

/**
 * The one place the bundles are built for real (the other infra tests skip bundling): every handler is bundled by
 * the local esbuild exactly as `cdk synth` does, copied away from the checkout (no node_modules within reach, as in
 * Lambda) and loaded by plain Node; two are invoked. The output folder lives in cdk.out, so an unchanged checkout
 * reuses its bundles (their asset hash is the sources' fingerprint): the first run takes about a minute.
 */

const OUTDIR = path.join(PROJECT_ROOT, 'cdk.out', 'bundle-test');
const built = buildApp({ context: { stage: 'dev' }, bundle: true, outdir: OUTDIR });
const assembly = built.app.synth();
const functions = resourcesOfType(Template.fromStack(built.stateless), 'AWS::Lambda::Function');
const copies = mkdtempSync(path.join(tmpdir(), 'nianbao-bundles-'));

afterAll(() => {
  rmSync(copies, { recursive: true, force: true });
});

/** The staged asset folder of a function, as the cloud assembly names it. */
function assetDir(name: FunctionName): string {
  const fn = functions[functionLogicalId(built, name)];
  const key = String((fn?.Properties?.['Code'] as { S3Key: string }).S3Key);
  return path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
}

/** Copies a bundle out of the checkout, so nothing can resolve from the project's node_modules. */
function isolated(name: FunctionName): string {
  const target = path.join(copies, name);
  if (!existsSync(target)) cpSync(assetDir(name), target, { recursive: true });
  return target;
}

/** Runs an ES module script under plain Node (as the Lambda runtime loads the bundle) and returns what it prints. */
function node(script: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: copies,
    env: { PATH: process.env['PATH'] ?? '', POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_REGION: 'cn-north-1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('the Lambda bundles', () => {
  it('are minified ESM with source maps, starting with the createRequire banner', () => {
    for (const name of FUNCTION_NAMES) {
      const dir = assetDir(name);
      const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER), name).toBe(true);
      expect(existsSync(path.join(dir, 'index.mjs.map')), name).toBe(true);
      // minified: long lines (template literals keep their own line breaks)
      expect(code.length / code.split('\n').length, name).toBeGreaterThan(1000);
    }
  });

  it('each stays within its size budget (minified index.mjs, the source map not counted)', () => {
    const over = FUNCTION_NAMES.flatMap((name) => {
      const kib = statSync(path.join(assetDir(name), 'index.mjs')).size / 1024;
      return kib > BUNDLE_BUDGET_KIB[name] ? [`${name}: ${kib.toFixed(1)} KiB > ${BUNDLE_BUDGET_KIB[name]} KiB`] : [];
    });
    expect(over).toEqual([]);
  });

  it("leave nodemailer and the SDK's SSO/STS credential chain out where mail goes through SES", () => {
    for (const name of FUNCTION_NAMES) {
      const code = readFileSync(path.join(assetDir(name), 'index.mjs'), 'utf8');
      expect(code.includes('nodemailer.com'), name).toBe(false);
      // the SSO OIDC client is one of the credential providers the Lambda bundles replace with an environment reader
      expect(code.includes('AWSSSOOIDCService'), name).toBe(false);
    }
  });

  it("import nothing at run time that Lambda lacks: Node's own modules, and only the packages named here", () => {
    // why each may stay outside a bundle: it is never imported in an SES stage's Lambda
    const mayStayOutside: Record<string, string> = {
      nodemailer: 'imported by the SMTP mailer alone; an SMTP stage bundles it into its mail functions',
      '@aws-sdk/signature-v4-crt': 'the SDK tries it for SigV4a (multi-region access points) inside a try/catch; nothing here signs SigV4a',
      '@aws-sdk/signature-v4a': 'as @aws-sdk/signature-v4-crt',
      esbuild: 'builds the browser scripts only where no prebuilt client-assets/ sits beside the handler (the local stack)',
    };
    const specifier = /(?:\bfrom|\bimport|\bimport\s*\(|\brequire\s*\()\s*"((?:@[\w.-]+\/)?[\w.-]+(?:\/[\w.-]+)*)"/g;
    const missing = FUNCTION_NAMES.flatMap((name) => {
      const code = readFileSync(path.join(assetDir(name), 'index.mjs'), 'utf8');
      const outside = new Set(
        [...code.matchAll(specifier)].map((match) => match[1] ?? '').filter((spec) => !isBuiltin(spec) && !(spec in mayStayOutside)),
      );
      return [...outside].map((spec) => `${name} imports ${spec}`);
    });
    expect(missing).toEqual([]);
  });

  it('load with plain Node away from node_modules, each exporting handler', () => {
    const entries = FUNCTION_NAMES.map((name) => [name, pathToFileURL(path.join(isolated(name), 'index.mjs')).href]);
    const out = node(`
      const entries = ${JSON.stringify(entries)};
      const result = {};
      for (const [name, url] of entries) result[name] = typeof (await import(url)).handler;
      console.log(JSON.stringify(result));
    `);
    expect(JSON.parse(out)).toEqual(Object.fromEntries(FUNCTION_NAMES.map((name) => [name, 'function'])));
  });

  it('answer a request: validate-report checks a report from the bundle alone', () => {
    const url = pathToFileURL(path.join(isolated('validate-report'), 'index.mjs')).href;
    const out = node(`
      const { handler } = await import(${JSON.stringify(url)});
      const response = await handler({
        rawPath: '/api/reports/validate', rawQueryString: '', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ report: { template: 'national-2021' } }), isBase64Encoded: false,
        requestContext: { requestId: 'bundle-test', http: { method: 'POST' } },
      });
      console.log(JSON.stringify({ status: response.statusCode, body: JSON.parse(response.body) }));
    `);
    const response = JSON.parse(out) as { status: number; body: { valid: boolean; errors: unknown[] } };
    expect(response.status).toBe(200);
    expect(response.body.valid).toBe(false);
    expect(response.body.errors.length).toBeGreaterThan(0);
  });

  it("carry no browser script, only the build's manifest, and render pages that name the deployed hashed files", () => {
    const { manifest } = clientBuildForSynth();
    for (const name of FUNCTION_NAMES) {
      const dir = assetDir(name);
      expect(
        readdirSync(dir).filter((file) => file.endsWith('.js')),
        name,
      ).toEqual([]);
      expect(existsSync(path.join(dir, 'client-assets')), name).toBe(false);
      expect(JSON.parse(readFileSync(path.join(dir, PACKAGED_MANIFEST_FILE), 'utf8')), name).toEqual(manifest);
    }
    const dir = isolated('web-pages');
    const out = node(
      `
      const { handler } = await import(${JSON.stringify(pathToFileURL(path.join(dir, 'index.mjs')).href)});
      const get = (rawPath) => handler({ rawPath, rawQueryString: '', headers: {}, requestContext: { requestId: 'bundle-test', http: { method: 'GET' } } });
      const login = await get('/login');
      const old = await get('/assets/app.js');
      console.log(JSON.stringify({ status: login.statusCode, scripts: [...login.body.matchAll(/<script[^>]* src="([^"]+)"/g)].map((m) => m[1]), old: old.statusCode }));
    `,
      {
        NIANBAO_TABLE_NAME: 'nianbao-table',
        NIANBAO_STATE_MACHINE_ARN: 'arn:aws:states:cn-north-1:123456789012:stateMachine:x',
        // the audit pages verify histories: the stack gives web-pages the history key and the anchor bucket
        NIANBAO_HISTORY_KEY_ID: 'arn:aws:kms:cn-north-1:123456789012:key/x',
        NIANBAO_ANCHOR_BUCKET: 'nianbao-anchors',
      },
    );
    expect(JSON.parse(out)).toEqual({ status: 200, scripts: [`/assets/${manifest['app.js']}`], old: 404 });
  });

  it('carry the PDF fonts beside publish-report alone, as files the renderer reads from the package', async () => {
    const fontFiles = ['NotoSansSC-Bold-Report.otf', 'NotoSerifSC-Report.otf', 'OFL.txt'];
    for (const name of FUNCTION_NAMES) {
      const fonts = path.join(assetDir(name), 'fonts');
      if (name === 'publish-report') {
        expect(readdirSync(fonts).sort()).toEqual(fontFiles);
        for (const file of fontFiles) {
          expect(readFileSync(path.join(fonts, file)).equals(readFileSync(path.join(PROJECT_ROOT, 'assets', 'fonts', file))), file).toBe(
            true,
          );
        }
      } else expect(existsSync(fonts), name).toBe(false);
      // never inlined: the fonts are megabytes, the code is not; nor brotli's WOFF2 decoder (aliased to a stub)
      const code = readFileSync(path.join(assetDir(name), 'index.mjs'), 'utf8');
      expect(code.length, name).toBeLessThan(3 * 1024 * 1024);
      if (name === 'publish-report') expect(code).toContain('WOFF2 fonts cannot be read in this bundle');
    }
    // the loader, moved beside a copy of the package's fonts/, finds them there and not in the checkout
    const copy = isolated('publish-report');
    const loader = path.join(copy, 'pdf-fonts-probe.mjs');
    execFileSync(process.execPath, [
      path.join(PROJECT_ROOT, 'node_modules', 'esbuild', 'bin', 'esbuild'),
      path.join(PROJECT_ROOT, 'shared', 'runtime', 'pdf-fonts.ts'),
      '--bundle',
      '--platform=node',
      '--format=esm',
      `--outfile=${loader}`,
      '--log-level=error',
    ]);
    const out = node(`
      const { loadPdfFonts } = await import(${JSON.stringify(pathToFileURL(loader).href)});
      const fonts = await loadPdfFonts();
      console.log(JSON.stringify({ body: fonts.body.length, heading: fonts.heading.length }));
    `);
    expect(JSON.parse(out)).toEqual({
      body: statSync(path.join(PROJECT_ROOT, 'assets', 'fonts', 'NotoSerifSC-Report.otf')).size,
      heading: statSync(path.join(PROJECT_ROOT, 'assets', 'fonts', 'NotoSansSC-Bold-Report.otf')).size,
    });
  });
});
