export * from './errors';
export * from './schemas';
export * from './methods';
export * from './queue';
export * from './signing';
export * from './events';
export * from './rpc';
export * from "./client";
