export * from '../../infra/local/s3rver.js';
