import { config } from 'zod';

/**
 * zod compiles fast parsers with `new Function` where it may, and tries once at its first object schema to find out:
 * under this app's Content-Security-Policy (no 'unsafe-eval') that try is a CSP violation in the console. Imported
 * first by the form's script, before any module defines a schema.
 */
config({ jitless: true });
