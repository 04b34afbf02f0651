import { flows1m } from '../schema/index.js';
import { createTableStep } from './migration.js';

export default createTableStep(10, 'create-flows-1m', flows1m);
