export * from './lib/api-server';
export * from './lib/manual-clock';
export * from './lib/ports';
export * from './lib/recording-receiver';
export * from './lib/wait-for';
export * from './lib/fixture-project';
export * from './lib/ci';
