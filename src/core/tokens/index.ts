export {
  TokenCounter, sharedTokenCounter, pieceTableStatus, TokenCounterOptions, TokenCounterStats, DEFAULT_TOKENIZER,
  TOKENS_PER_MESSAGE, REPLY_PRIMER_TOKENS, TOOL_FUNC_INIT_TOKENS, TOOL_PROP_INIT_TOKENS, TOOL_PROP_KEY_TOKENS,
  TOOL_ENUM_INIT_TOKENS, TOOL_ENUM_ITEM_TOKENS, TOOL_FUNC_END_TOKENS, TOOL_CALL_OVERHEAD_TOKENS, TOOL_RESULT_OVERHEAD_TOKENS,
} from './tokenCounter';
export { tokenizerLoadCounts } from './encoderLoader';
export { resolveTokenizerAssets, TokenizerAssetPaths } from './assets';
export { highDetailImageTokens, imageDimensions, imagePartTokens, IMAGE_DEFAULT_TOKENS } from './imageTokens';
export { contentKey } from './contentHash';
export { COUNT_STORE_FILE_NAME, COUNT_STORE_MAX_ENTRIES, CountEntry, CountPersistence, readCountStore, writeCountStore } from './countStore';
