/**
 * The plugin test kit (`gatehouse/testing`): what bundled plugins' own tests and third parties use to
 * test a plugin against the real host validation, with no server. See docs/plugins.md "Testing".
 */
export { loadPluginForTest, type LoadPluginForTestOptions, type TestPlugin } from './load-plugin-for-test.ts';
export { runLifter, type LifterStep, type TestEvent, type TestRule } from './run-lifter.ts';
export { readRuleFiles, replay, ruleFile, ruleFromFile, toTestRule, type Fired, type FileLifterRule, type RuleFile } from './lifter-rule-files.ts';
