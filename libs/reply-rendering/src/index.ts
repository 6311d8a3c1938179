export { renderBlocks, neutralizeMentions } from './render';
export { splitRendered, measure, type SplitLimit } from './split';
export { renderReply, plainChunk, type RenderedReply } from './reply';
export { contextsOf, visibleText } from './contexts';
