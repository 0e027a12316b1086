// The typed event emitter every part uses (studio jobs, tracker, renderer, player). Browser-safe.
export { TypedEmitter, TypedEvents, type Listener } from './typed-emitter.ts';
