export * from './api/index.ts';
export * from './projection.ts';
