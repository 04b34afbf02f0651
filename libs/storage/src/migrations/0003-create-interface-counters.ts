import { interfaceCounters } from '../schema/index.js';
import { createTableStep } from './migration.js';

export default createTableStep(3, 'create-interface-counters', interfaceCounters);
