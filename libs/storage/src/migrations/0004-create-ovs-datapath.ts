import { ovsDatapath } from '../schema/index.js';
import { createTableStep } from './migration.js';

export default createTableStep(4, 'create-ovs-datapath', ovsDatapath);
