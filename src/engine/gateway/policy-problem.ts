/** Policy load problems are file problems (src/engine/file-problem.ts), under the gateway's names. */
export { describeIssues, formatFileProblem as formatPolicyProblem, type FileProblem as PolicyProblem } from '../file-problem.ts';
