export * from './definition.ts';
export { validateAnswers, isFieldShown, type ReceivedFile, type Answers, type AddressAnswer, type AnswerValidation } from './validate-answers.ts';
export { loadServiceFiles, type LoadedService, type ServiceFilesResult } from './load-files.ts';
export { ServiceCatalogue, contentHash } from './catalogue.ts';
