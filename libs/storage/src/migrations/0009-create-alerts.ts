import { alerts } from '../schema/index.js';
import { createTableStep } from './migration.js';

export default createTableStep(9, 'create-alerts', alerts);
