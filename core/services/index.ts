export * from './definition.ts';
export {
  validateAnswers,
  isFieldShown,
  isEmailAddress,
  type ReceivedFile,
  type Answers,
  type AddressAnswer,
  type AnswerValidation,
} from './validate-answers.ts';
export { loadServiceFiles, definitionProblems, councilContext, type LoadedService, type ServiceFilesResult } from './load-files.ts';
export { ServiceCatalogue, contentHash, SERVICES_CHANNEL } from './catalogue.ts';
export { stableJson } from './stable-json.ts';
export { serviceNoun, pageTitle, errorMessages, uploadTypeNames, fileSizeText } from './wording.ts';
export { addressAnswerOf } from './address-answer.ts';
export { checkLocation, LOCATION_REQUIRED, DESCRIPTION_LIMIT, type LocationAnswer, type LocationInput } from './location-answer.ts';
export { categoryIds, categoryLabel, groupByCategory, isCategoryId, OTHER_SERVICES, type CategoryGroup } from './categories.ts';
