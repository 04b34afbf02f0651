import { flows1h } from '../schema/index.js';
import { createTableStep } from './migration.js';

export default createTableStep(11, 'create-flows-1h', flows1h);
