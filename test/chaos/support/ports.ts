// A loopback port the OS says is free right now (the same helper the other tests use).
export { freePort } from '../../helpers/hub.ts';
