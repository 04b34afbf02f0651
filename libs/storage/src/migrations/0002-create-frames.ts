import { frames } from '../schema/index.js';
import { createTableStep } from './migration.js';

export default createTableStep(2, 'create-frames', frames);
