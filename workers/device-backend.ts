/**
 * Entry point of the device backend worker: exposes `DeviceBackendService` through
 * comlink on the parent port. Thin on purpose; the work is in src/sim/device-backend-service.ts.
 */
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import { comlinkEndpoint } from '../src/sim/comlink-endpoint.js';
import { DeviceBackendService } from '../src/sim/device-backend-service.js';

if (parentPort === null) throw new Error('workers/device-backend.js must run in a worker thread');
expose(new DeviceBackendService(), comlinkEndpoint(parentPort));
