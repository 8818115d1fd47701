// The fake model servers, for unit, integration (extension host) and end-to-end tests.
export * from './common';
export * from './fakeOllama';
export * from './fakeOpenAI';
export * from './fakeAnthropic';
export * from './catcher';
