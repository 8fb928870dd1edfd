import type { OperatorCompiler } from './expression_core.js';

/** The operator families beyond the core and arithmetic ones. */
export const EXTRA_OPERATORS: Record<string, OperatorCompiler> = {};
