import type { Role } from '../../../services/access.js';

// Who may do what in the console; the server enforces these on every admin route.
export const EVERYONE: readonly Role[] = ['Administrator', 'Supervisor', 'Developer', 'Monitor'];
export const ADMIN_ONLY: readonly Role[] = ['Administrator'];
export const DEVELOPERS: readonly Role[] = ['Administrator', 'Developer'];
export const TOOLS: readonly Role[] = ['Administrator', 'Supervisor', 'Developer'];
export const CALLBACK_WRITERS: readonly Role[] = ['Administrator', 'Supervisor'];
