export { generatedFiles, topicSchemaFiles } from './generate.ts';
export { renderSections, sectionsIn, type Section } from './sections.ts';
