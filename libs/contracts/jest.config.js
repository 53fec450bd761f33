module.exports = {
  displayName: 'contracts',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../../coverage/libs/contracts',
  // class-transformer's @Type needs it, as in every app that loads the contracts.
  setupFiles: ['reflect-metadata'],
};
