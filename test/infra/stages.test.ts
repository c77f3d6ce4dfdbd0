import { RemovalPolicy } from 'aws-cdk-lib';
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
      mailFrom: '海淀区年报 <noreply@haidian.example.gov.cn>',
      baseUrl: 'https://nianbao.haidian.example.gov.cn',
      mailTransport: 'ses',
      mailIdentity: 'haidian.example.gov.cn',
      createMailIdentity: 'true',
    });
    expect(config.baseUrl).toBe('https://nianbao.haidian.example.gov.cn');
    expect(config.mail).toEqual({ transport: 'ses', from: '海淀区年报 <noreply@haidian.example.gov.cn>', identity: 'haidian.example.gov.cn', createIdentity: true });
  });

  it('switches to SMTP only with the name of the secret that holds its settings', () => {
    expect(() => resolveStageConfig({ stage: 'prod', mailTransport: 'smtp' })).toThrow(StageConfigError);
    expect(resolveStageConfig({ stage: 'prod', mailTransport: 'smtp', smtpSecretName: 'nianbao/smtp' }).config.mail).toEqual({
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

  it('finds the sender domain in a display-name address', () => {
    expect(domainOf('年报系统 <noreply@example.gov.cn>')).toBe('example.gov.cn');
    expect(domainOf('noreply@example.gov.cn')).toBe('example.gov.cn');
    expect(() => domainOf('noreply')).toThrow(StageConfigError);
  });

  it('names the state machine after its stack, within Step Functions\' 80 characters', () => {
    expect(reviewStateMachineName('Nianbao-prod-Stateless')).toBe('Nianbao-prod-Stateless-Review');
    const long = reviewStateMachineName('N'.repeat(120));
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).toMatch(/^[A-Za-z0-9-]+$/);
  });
});
