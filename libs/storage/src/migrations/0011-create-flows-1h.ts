import { flows1h } from '../schema/index.js';
import { createRollupStep } from './migration.js';

export default createRollupStep(11, 'create-flows-1h', flows1h);
