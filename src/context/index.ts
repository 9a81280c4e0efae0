export { bindContext, currentContext, runWithContext, type ActorContext } from './actor-context.js';
