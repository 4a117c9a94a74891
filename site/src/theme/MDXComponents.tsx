/**
 * The components every page may use without importing them: the tabs that the shell-variants plugin writes, and the
 * step's introduction that the step-intro plugin puts under a guide's title.
 */
import TabItem from '@theme/TabItem';
import Tabs from '@theme/Tabs';
import MDXComponents from '@theme-original/MDXComponents';
import StepIntro from '../components/StepIntro';

export default { ...MDXComponents, Tabs, TabItem, StepIntro };
