import { SetMetadata } from '@nestjs/common';
import { type Role } from '../auth/token-store.js';

export const PUBLIC_KEY = 'nicscope:public';
export const ROLES_KEY = 'nicscope:roles';
/** No token needed (health and metrics endpoints). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);
/** Only these roles (admin implies viewer everywhere else). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);
