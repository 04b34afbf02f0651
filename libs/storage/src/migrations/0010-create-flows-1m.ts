import { flows1m } from '../schema/index.js';
import { createRollupStep } from './migration.js';

export default createRollupStep(10, 'create-flows-1m', flows1m);
