import { flows } from '../schema/index.js';
import { createTableStep } from './migration.js';

export default createTableStep(1, 'create-flows', flows);
