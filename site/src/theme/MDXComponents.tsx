/** The components every page may use without importing them: the tabs that the shell-variants plugin writes. */
import TabItem from '@theme/TabItem';
import Tabs from '@theme/Tabs';
import MDXComponents from '@theme-original/MDXComponents';

export default { ...MDXComponents, Tabs, TabItem };
