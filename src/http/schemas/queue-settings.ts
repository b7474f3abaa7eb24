import { checkQueueSettingsPatch } from '../../domain/queue-settings.js';

// The settings schemas live in domain/ (TypeBox is a pure library), where the services and the
// tenant configuration check the same documents; the routes take them from here.
export { QueueSettings, QueueSettingsPatch } from '../../domain/queue-settings.js';
export { checkQueueSettingsPatch };
export { domainBodyValidator } from './domain-body.js';
