import { memoryStoreHarness, storeContract } from './store-contract.js';

// The in-memory store the use cases' unit tests run on, held to the contract the DynamoDB adapters keep.
storeContract('in memory (MemoryStore)', memoryStoreHarness);
