import { App, RemovalPolicy } from 'aws-cdk-lib';
import { addNianbaoStacks } from '#infra/nianbao-app.js';
import { describe, expect, it } from 'vitest';
import { reviewStateMachineName } from '#infra/stateless-stack.js';
import { domainOf, isThrowaway, resolveStageConfig, STAGES, StageConfigError } from '#infra/stages.js';

describe('stage config', () => {
  it('defaults to dev, the only throwaway stage', () => {
    expect(resolveStageConfig({}).stage).toBe('dev');
    expect(isThrowaway(STAGES.dev)).toBe(true);
    expect(isThrowaway(STAGES.prod)).toBe(false);
    expect(STAGES.prod.removalPolicy).toBe(RemovalPolicy.RETAIN);
  });

  it('takes the sender, base URL and mail transport from the context', () => {
    const { config } = resolveStageConfig({
      stage: 'prod',
      alarmEmail: 'ops@haidian.example.gov.cn',
      mailFrom: '海淀区年报 <noreply@haidian.example.gov.cn>',
      baseUrl: 'https://nianbao.haidian.example.gov.cn',
      mailTransport: 'ses',
      mailIdentity: 'haidian.example.gov.cn',
      createMailIdentity: 'true',
    });
    expect(config.baseUrl).toBe('https://nianbao.haidian.example.gov.cn');
    expect(config.mail).toEqual({
      transport: 'ses',
      from: '海淀区年报 <noreply@haidian.example.gov.cn>',
      identity: 'haidian.example.gov.cn',
      createIdentity: true,
    });
  });

  it('switches to SMTP only with the name of the secret that holds its settings', () => {
    expect(() => resolveStageConfig({ stage: 'prod', alarmEmail: 'ops@example.gov.cn', mailTransport: 'smtp' })).toThrow(/smtpSecretName/);
    expect(
      resolveStageConfig({ stage: 'prod', alarmEmail: 'ops@example.gov.cn', mailTransport: 'smtp', smtpSecretName: 'nianbao/smtp' }).config
        .mail,
    ).toEqual({
      transport: 'smtp',
      from: STAGES.prod.mail.from,
      secretName: 'nianbao/smtp',
    });
  });

  it('refuses an unknown stage, a plain-http base URL and a malformed alarm address, naming the key', () => {
    expect(() => resolveStageConfig({ stage: 'staging' })).toThrow(/stage/);
    expect(() => resolveStageConfig({ baseUrl: 'http://nianbao.example.gov.cn' })).toThrow(/baseUrl/);
    expect(() => resolveStageConfig({ alarmEmail: 'ops' })).toThrow(/alarmEmail/);
  });

  it('refuses to build prod without an address for its alarms, and says which context key to pass', () => {
    expect(() => resolveStageConfig({ stage: 'prod' })).toThrow(StageConfigError);
    expect(() => resolveStageConfig({ stage: 'prod' })).toThrow(/-c alarmEmail=/);
    expect(resolveStageConfig({ stage: 'prod', alarmEmail: 'ops@example.gov.cn' }).config.alarmEmail).toBe('ops@example.gov.cn');
    // a throwaway stage may run without one
    expect(resolveStageConfig({ stage: 'dev' }).config.alarmEmail).toBeUndefined();
  });

  it('fails the synthesis of prod without an alarm address, before any stack is built', () => {
    const app = new App({ context: { stage: 'prod' } });
    expect(() => addNianbaoStacks(app)).toThrow(/alarmEmail/);
    expect(app.node.children).toHaveLength(0);
  });

  it('takes custom domains with their certificates, and refuses a certificate without its domain or one CloudFront cannot read', () => {
    const { config } = resolveStageConfig({
      stage: 'prod',
      alarmEmail: 'ops@example.gov.cn',
      apiDomain: 'nianbao.example.gov.cn',
      apiCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      siteDomain: 'nianbao-site.example.gov.cn',
    });
    expect(config).toMatchObject({ apiDomain: 'nianbao.example.gov.cn', siteDomain: 'nianbao-site.example.gov.cn' });
    const certificate = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    expect(() => resolveStageConfig({ apiCertificateArn: certificate })).toThrow(/apiDomain/);
    expect(() =>
      resolveStageConfig({
        apiDomain: 'nianbao.example.gov.cn',
        apiCertificateArn: 'arn:aws:acm:cn-north-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      }),
    ).toThrow(/us-east-1/);
    expect(() => resolveStageConfig({ siteDomain: 'https://nianbao.example.gov.cn' })).toThrow(/siteDomain/);
    // CloudFront in the China regions takes IAM certificates only: the README's manual steps, not ACM
    expect(() => resolveStageConfig({ region: 'cn-north-1', siteDomain: 'nianbao-site.example.gov.cn' })).toThrow(
      /IAM server certificates/,
    );
  });

  it('warms the prod table for the January peak and reserves concurrency for the workflow and the decision path', () => {
    expect(STAGES.prod.tableWarmThroughput?.writeUnitsPerSecond).toBeGreaterThanOrEqual(15000);
    expect(Object.keys(STAGES.prod.reservedConcurrency).sort()).toEqual([
      'decide-review',
      'publish-report',
      'request-review',
      'request-revision',
    ]);
  });

  it('finds the sender domain in a display-name address', () => {
    expect(domainOf('年报系统 <noreply@example.gov.cn>')).toBe('example.gov.cn');
    expect(domainOf('noreply@example.gov.cn')).toBe('example.gov.cn');
    expect(() => domainOf('noreply')).toThrow(StageConfigError);
  });

  it("names the state machine after its stack, within Step Functions' 80 characters", () => {
    expect(reviewStateMachineName('Nianbao-prod-Stateless')).toBe('Nianbao-prod-Stateless-Review');
    const long = reviewStateMachineName('N'.repeat(120));
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).toMatch(/^[A-Za-z0-9-]+$/);
  });
});
