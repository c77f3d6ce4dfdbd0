export * from '../../infra/local/dynalite.js';
