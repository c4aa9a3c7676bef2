export * from './errors';
export * from './schemas';
export * from './methods';
export * from './events';
export * from './rpc';
export * from "./client";
