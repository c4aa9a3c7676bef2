import type { z } from 'zod';
import { appMethods } from './app';
import { applicantMethods } from './applicant';
import { authMethods } from './auth';
import { catalogueMethods } from './catalogue';
import { digitiseMethods } from './digitise';
import { documentsMethods } from './documents';
import { dossierMethods } from './dossier';
import { intakeMethods } from './intake';
import { queueMethods } from './queue';
import { returnMethods } from './returns';
import { signingMethods } from './signing';
import { syncMethods } from './sync';

/**
 * The API, declared once. Every process imports this map: the core validates requests and
 * results against it, the preload builds `window.motcua` from it, the renderer's api is typed by it.
 * Each feature declares its methods in its own file with `define` (`define.ts`: access, role groups).
 */
export const contract = {
  ...appMethods,
  ...authMethods,
  ...queueMethods,
  ...applicantMethods,
  ...catalogueMethods,
  ...intakeMethods,
  ...dossierMethods,
  ...syncMethods,
  ...digitiseMethods,
  ...documentsMethods,
  ...signingMethods,
  ...returnMethods,
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type ParamsOf<M extends MethodName> = z.input<Contract[M]['params']>;
export type ResultOf<M extends MethodName> = z.output<Contract[M]['result']>;
export const METHOD_NAMES = Object.keys(contract) as MethodName[];
