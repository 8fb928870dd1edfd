import type { OperatorCompiler } from './expression_core.js';
import { foldValues } from './accumulators.js';
import { accumulatorExpression } from './operators_arithmetic.js';
import { ARRAY_OPERATORS } from './operators_array.js';
import { DATE_OPERATORS } from './operators_date.js';
import { STRING_OPERATORS } from './operators_string.js';
import { TYPE_OPERATORS } from './operators_type.js';

const ACCUMULATOR_EXPRESSIONS: Record<string, OperatorCompiler> = Object.fromEntries(
  ['$sum', '$avg', '$min', '$max', '$stdDevPop', '$stdDevSamp'].map((name) => [name, accumulatorExpression((values) => foldValues(name, values))]),
);

/** The operator families beyond the core and arithmetic ones. */
export const EXTRA_OPERATORS: Record<string, OperatorCompiler> = {
  ...STRING_OPERATORS,
  ...ARRAY_OPERATORS,
  ...DATE_OPERATORS,
  ...TYPE_OPERATORS,
  ...ACCUMULATOR_EXPRESSIONS,
};
