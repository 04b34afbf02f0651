import { ovsPorts } from '../schema/index.js';
import { createTableStep } from './migration.js';

export default createTableStep(5, 'create-ovs-ports', ovsPorts);
