const startedAt = performance.now();
const elapsed = () => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
process.stdout.write('  nianbao 正在启动…\n');
// the handler modules take a moment to load: the first line is out before they are
const { DEMO_ROSTER } = await import('../../shared/runtime/demo-roster.js');
const { startLocalStack } = await import('./stack.js');
const { logger } = await import('../../shared/runtime/logger.js');
const { createWriteStream, mkdirSync } = await import('node:fs');
const { join, resolve } = await import('node:path');

/** `npm start`: the whole system on this machine. PORT (default 3000) and DATA_DIR (default .data) are honoured. */

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

function numberFrom(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, not "${raw}"`);
  return value;
}

const dataDir = resolve(process.env['DATA_DIR'] ?? '.data');
// One JSON line per request goes to a file, so the banner stays the last thing on the screen; LOG_LEVEL=debug shows
// them (and the debug lines) on the terminal as well.
const logFile = join(dataDir, 'logs', 'requests.log');
mkdirSync(join(dataDir, 'logs'), { recursive: true });
const logStream = createWriteStream(logFile, { flags: 'a' });
const echo = (process.env['LOG_LEVEL'] ?? '').toLowerCase() === 'debug';
logger.sendTo({ write: (line) => logStream.write(`${line}\n`), echo });

const stack = await startLocalStack({
  port: numberFrom('PORT') ?? 3000,
  dataDir,
  onProgress: (step) => process.stdout.write(`  ${elapsed().padStart(6)}  ${step}\n`),
  ...(numberFrom('NIANBAO_REVIEW_TIMEOUT_SECONDS') === undefined
    ? {}
    : { reviewTimeoutSeconds: numberFrom('NIANBAO_REVIEW_TIMEOUT_SECONDS') }),
  ...(numberFrom('NIANBAO_REVISION_TIMEOUT_SECONDS') === undefined
    ? {}
    : { revisionTimeoutSeconds: numberFrom('NIANBAO_REVISION_TIMEOUT_SECONDS') }),
});

const people = DEMO_ROSTER.map((entry) => `    ${entry.email.padEnd(28)} ${entry.name}（${entry.roles.join('、')}）`).join('\n');
process.stdout.write(`
  政府信息公开工作年度报告 · nianbao 已在本机运行（启动用时 ${elapsed()}）

  打开        ${stack.url}/
  演示账号（登录验证码见本地邮件）:
${people}
  本地邮件    ${stack.url}/_local/outbox
  公开网站    ${stack.url}/site/
  Step Functions 本地端点 ${stack.sfnEndpoint}
  数据目录    ${stack.dataDir}
  请求日志    ${logFile}${echo ? '（同时显示在本窗口）' : '（LOG_LEVEL=debug 时也显示在本窗口）'}

  按 Ctrl-C 停止。
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\n  正在停止…\n');
    stack.stop().then(
      () => logStream.end(() => process.exit(0)),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
