import { ovsMegaflows } from '../schema/index.js';
import { createTableStep } from './migration.js';

export default createTableStep(6, 'create-ovs-megaflows', ovsMegaflows);
