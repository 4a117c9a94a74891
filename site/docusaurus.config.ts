/**
 * The workshop site. It renders the guides where they live (steps/NN-slug/guide.md, in steps/course.yaml's order)
 * and adds to each step page what the step's own files say: the pipeline diagram with the step's part marked, the
 * files `npm run solve` applies, and the check's troubleshooting and hints. Nothing is fetched at run time: no web
 * fonts, no scripts from elsewhere, a local search index.
 */
import type { Config } from '@docusaurus/types';
import { readCourse } from './course-data';
import remarkIncludeFrom from './plugins/remark-include-from';
import remarkShellVariants from './plugins/remark-shell-variants';
import remarkStepIntro from './plugins/remark-step-intro';

const steps = readCourse();

const config: Config = {
  title: 'Build a streaming data pipeline',
  tagline: 'Kafka, Debezium, ksqlDB, Elasticsearch and Kibana, step by step, with a check after each step',
  url: 'http://127.0.0.1',
  baseUrl: '/',
  favicon: 'img/pipeline.svg',
  onBrokenLinks: 'throw',
  onBrokenAnchors: 'throw',
  onDuplicateRoutes: 'throw',
  markdown: {
    // The guides are Markdown (CommonMark), readable on GitHub too; the site's own pages may be MDX.
    format: 'detect',
    hooks: { onBrokenMarkdownLinks: 'throw', onBrokenMarkdownImages: 'throw' },
    parseFrontMatter: async (params) => {
      const result = await params.defaultParseFrontMatter(params);
      const file = params.filePath.replaceAll('\\', '/');
      const step = steps.find((s) => s.engine === 'ksqldb' && file.endsWith(`/steps/${s.folder}/guide.md`));
      if (step) {
        result.frontMatter.slug ??= `/${step.id}`;
        result.frontMatter.sidebar_label ??= `${step.number}. ${step.title}`;
        result.frontMatter.pagination_label ??= `Step ${step.number}: ${step.title}`;
      }
      // A step's Flink SQL page: the course's sidebar, and the previous and next steps as a Flink room does them.
      const variant = steps.find((s) => s.engine === 'flink' && file.endsWith(`/steps/${s.folder}/flink/guide.md`));
      if (variant) {
        // A step's Flink page, or its only page; an optional step that only ksqlDB has is not on a Flink room's way
        // (solve and rehearse leave it out there too): the nearest step that is, either side.
        const inFlinkRoom = (number: number, towards: -1 | 1): (typeof steps)[number] | undefined => {
          const here = steps.filter((s) => s.number === number);
          const page = here.find((s) => s.engine === 'flink') ?? here[0];
          return page?.optional && page.engine !== 'flink' ? inFlinkRoom(number + towards, towards) : page;
        };
        result.frontMatter.slug ??= `/${variant.id}/flink`;
        result.frontMatter.displayed_sidebar ??= 'course';
        result.frontMatter.pagination_label ??= `Step ${variant.number}: ${variant.title}`;
        const previous = inFlinkRoom(variant.number - 1, -1);
        const next = inFlinkRoom(variant.number + 1, 1);
        if (previous) result.frontMatter.pagination_prev ??= previous.docId;
        if (next) result.frontMatter.pagination_next ??= next.docId;
      }
      return result;
    },
  },
  i18n: { defaultLocale: 'en', locales: ['en'] },
  presets: [
    [
      'classic',
      {
        docs: {
          path: '../steps',
          routeBasePath: 'steps',
          // The course's steps, and the closing page after the last of them.
          include: ['*/guide.md', '*/flink/guide.md', 'what-next.md'],
          sidebarPath: './sidebars.ts',
          beforeDefaultRemarkPlugins: [remarkIncludeFrom, remarkShellVariants, remarkStepIntro],
        },
        blog: false,
        theme: { customCss: './src/css/custom.css' },
      },
    ],
  ],
  plugins: [
    './plugins/course-data.ts',
    [
      '@docusaurus/plugin-content-docs',
      {
        id: 'instructor',
        path: 'instructor',
        routeBasePath: 'instructor',
        sidebarPath: false,
        beforeDefaultRemarkPlugins: [remarkIncludeFrom, remarkShellVariants],
      },
    ],
  ],
  themes: [
    [
      '@easyops-cn/docusaurus-search-local',
      {
        hashed: true,
        indexBlog: false,
        indexPages: true,
        docsRouteBasePath: ['steps', 'instructor'],
        docsDir: ['../steps', 'instructor'],
        highlightSearchTermsOnTargetPage: false,
      },
    ],
  ],
  themeConfig: {
    colorMode: { respectPrefersColorScheme: true },
    navbar: {
      title: 'Streaming pipeline workshop',
      logo: { alt: 'pipeline', src: 'img/pipeline.svg' },
      items: [
        { type: 'docSidebar', sidebarId: 'course', position: 'left', label: 'Steps' },
        { to: '/instructor', label: 'Instructors', position: 'left' },
      ],
    },
    footer: {
      style: 'light',
      copyright:
        'After the talk "Apache Kafka and ksqlDB in Action: Let\'s Build a Streaming Data Pipeline!". Everything on this site works offline.',
    },
    prism: { additionalLanguages: ['sql', 'json', 'powershell', 'bash'] },
    docs: { sidebar: { hideable: true } },
  },
};

export default config;
