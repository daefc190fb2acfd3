// The service designer at /staff/services: council admins and service editors build and change services without code.
// Each part of the designer mounts its own pages here (list and versions, questions, preview, tasks and messages, XML
// mapping, binding). Every change goes into the service's working draft (core/designer/drafts.ts).
import type Router from '@koa/router';
import type { Hub } from '../../../hub.ts';
import { mountServicesList } from './list-routes.ts';
import { mountServicePage } from './service-page-routes.ts';
import { mountVersions } from './versions-routes.ts';
import { mountPublish } from './publish-routes.ts';
import { mountSettings } from './settings-routes.ts';
import { mountXmlMapping } from './xml-routes.ts';
import { mountXsdChoice } from './xml-xsd-routes.ts';
import { mountQuestionList } from './questions-list-routes.ts';
import { mountQuestionContent } from './question-content-routes.ts';
import { mountQuestionConditions } from './condition-routes.ts';
import { mountQuestionDetails } from './question-routes.ts';
import { mountListItems } from './list-item-routes.ts';
import { mountTasks } from './tasks-routes.ts';
import { mountMessages } from './messages-routes.ts';
import { mountBinding } from './binding-routes.ts';
import { mountPreview } from './preview-routes.ts';
import { mountTryIt } from './try-routes.ts';

type MountDesignerPages = (router: Router, hub: Hub) => void;

/** The designer's parts, in the order their routes are matched. */
const PARTS: MountDesignerPages[] = [
  mountServicesList, // before /services/:id: "new" is not a service
  mountServicePage,
  mountVersions,
  mountPublish,
  mountSettings,
  mountXsdChoice,
  mountXmlMapping,
  mountQuestionList,
  // Before the details routes: /questions/start, /confirmation, /contact are not question ids.
  mountQuestionContent,
  mountQuestionConditions,
  mountListItems, // before the details routes: /questions/{id}/items/… belong to a list
  mountQuestionDetails,
  mountTasks,
  mountMessages,
  mountBinding,
  mountPreview,
  mountTryIt,
];

export function mountServiceDesigner(router: Router, hub: Hub): void {
  for (const mount of PARTS) mount(router, hub);
}
