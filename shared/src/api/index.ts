export * from './common.ts';
export * from './content.ts';
export * from './limits.ts';
export * from './search.ts';
export * from './users.ts';
