import { collectorHealth } from '../schema/index.js';
import { createTableStep } from './migration.js';

export default createTableStep(8, 'create-collector-health', collectorHealth);
