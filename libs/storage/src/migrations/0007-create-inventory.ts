import { inventory } from '../schema/index.js';
import { createTableStep } from './migration.js';

export default createTableStep(7, 'create-inventory', inventory);
